/**
 * A task input that is missing or malformed. The message names the input and says what would be
 * right.
 */
export class InputError extends Error {
  constructor(
    readonly input: string,
    problem: string,
    expected?: string,
  ) {
    super(`Input '${input}': ${problem}${expected ? `. Expected ${expected}.` : '.'}`);
    this.name = 'InputError';
  }
}

/** A capability this version of the extension does not have yet; never pretends to succeed. */
export class NotImplementedError extends Error {
  constructor(what: string) {
    super(`${what} is not implemented in this version of the extension.`);
    this.name = 'NotImplementedError';
  }
}

/** Raised when the pipeline cancelled the task (SIGINT/SIGTERM from the agent). */
export class CancelledError extends Error {
  constructor(message = 'The task was cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** Why a signal aborted, as an Error: the agent's cancel gives one, a bare abort() does not. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CancelledError();
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
