/** Whether Azure answered that the resource does not exist (404, or a *NotFound code). */
export function isNotFound(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: string };
  return e?.statusCode === 404 || /NotFound$/i.test(e?.code ?? '');
}

/** Runs a read and returns undefined when the resource does not exist. */
export async function getOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * An error that means "there is nothing of this kind here" (no such resource, type or provider)
 * rather than a failure.
 */
export function isAbsent(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: string };
  return e?.statusCode === 404 || ABSENT_CODES.has((e?.code ?? '').toLowerCase());
}

const ABSENT_CODES = new Set(
  [
    'NoRegisteredProviderFound',
    'InvalidResourceType',
    'MissingSubscriptionRegistration',
    'ResourceNotFound',
    'ResourceGroupNotFound',
    'NotFound',
  ].map((c) => c.toLowerCase()),
);
