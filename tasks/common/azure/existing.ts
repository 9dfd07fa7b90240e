/**
 * A resource an input names, read before any write: nothing should start towards a subnet or a
 * resource group that is not there (it would fail halfway, after the first writes).
 */
import { ArmClient } from './armClient';
import { AzureContext } from './clients';
import { getOrUndefined } from './notFound';
import { InputError } from '../core/errors';

export const NETWORK_API = '2024-05-01';
export const RESOURCES_API = '2021-04-01';

/**
 * Options: the connection; the resource's id and an api-version to read it with; the input that
 * named it, what it is ("the subnet") and what would be right instead (for the error); the cancel
 * signal.
 */
export interface RequireExistingOptions {
  azure: AzureContext;
  id: string;
  apiVersion: string;
  input: string;
  what: string;
  expected: string;
  signal: AbortSignal;
}

/** Result: none; throws an InputError naming the input when Azure has no such resource. */
export async function requireExisting(o: RequireExistingOptions): Promise<void> {
  const found = await getOrUndefined(() =>
    new ArmClient(o.azure).get<unknown>(o.id, o.apiVersion, o.signal),
  );
  if (!found)
    throw new InputError(
      o.input,
      `${o.what} ${o.id} does not exist (or the service connection can't read it)`,
      o.expected,
    );
}
