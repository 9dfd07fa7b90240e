// How the image builder fetches a customiser's `scriptUri` / `sourceUri`. Blobs in Azurite are
// really downloaded (with the template identity's data rights checked when RBAC is on and the URL
// carries no SAS) and their sha256Checksum verified. Nothing beyond loopback can be fetched here,
// so other URLs count as reachable with unknown content — unless the scenario's `unreachableUrls`
// (regexes) name them.
import { createHash } from 'crypto';
import type { SimServices } from '../arm/framework';

export const STORAGE_ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';

export type FetchResult =
  | { ok: true; external: false; content: Buffer; sha256: string }
  | { ok: true; external: true }
  | { ok: false; reason: string };

export function isLoopback(host: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host.toLowerCase());
}

/** The Azurite port of this simulator (from its blob endpoint template). */
export function azuritePort(sim: SimServices): string {
  return new URL(sim.info.blobEndpointTemplate.replace('{account}', 'x')).port;
}

export function unreachable(sim: SimServices, url: string): boolean {
  const list = sim.scenario.unreachableUrls;
  if (list === undefined) return false;
  if (!Array.isArray(list))
    throw new Error('scenario.unreachableUrls must be an array of regular expressions');
  return list.some((p: string) => new RegExp(p, 'i').test(url));
}

export async function fetchExternalFile(
  sim: SimServices,
  url: string,
  principalId: string | undefined,
): Promise<FetchResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, reason: `invalid URL '${url}'` };
  }
  if (unreachable(sim, url))
    return { ok: false, reason: `dial tcp: lookup ${u.hostname}: no such host` };
  if (!isLoopback(u.hostname)) return { ok: true, external: true };
  if (u.port !== azuritePort(sim))
    return { ok: false, reason: `dial tcp ${u.host}: connect: connection refused` };

  const [account, container, ...blobParts] = u.pathname
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeURIComponent);
  if (!account || !container || blobParts.length === 0)
    return { ok: false, reason: 'StatusCode=400 -- the URL does not name a blob' };
  if (!sim.storage.keys(account))
    return { ok: false, reason: `dial tcp: lookup ${account}.blob.core.windows.net: no such host` };

  if (sim.rbac.enforced && !u.searchParams.has('sig')) {
    const acct = sim.store
      .list({ type: STORAGE_ACCOUNT_TYPE })
      .find((r) => r.name.toLowerCase() === account.toLowerCase());
    const scope = acct ? `${acct.id}/blobServices/default/containers/${container}` : undefined;
    const action = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
    if (
      !principalId ||
      (scope && !sim.rbac.isAllowed(principalId, action, scope, { dataAction: true }))
    ) {
      return {
        ok: false,
        reason:
          `StatusCode=403 -- Original Error: AuthorizationPermissionMismatch: This request ` +
          `is not authorized to perform this operation using this permission. (identity ` +
          `lacks data action '${action}' on '${scope ?? account}')`,
      };
    }
  }
  try {
    const content = await sim.storage
      .client(account)
      .getContainerClient(container)
      .getBlobClient(blobParts.join('/'))
      .downloadToBuffer();
    return {
      ok: true,
      external: false,
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
    };
  } catch (e: any) {
    const status = e?.statusCode ?? 'unknown';
    return {
      ok: false,
      reason:
        `StatusCode=${status} -- Original Error: ` +
        `${e?.code ?? e?.message ?? 'download failed'}`,
    };
  }
}
