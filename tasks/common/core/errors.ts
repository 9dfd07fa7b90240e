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
