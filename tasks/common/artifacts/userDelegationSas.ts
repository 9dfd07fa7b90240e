// A read-only URL for one blob, signed with a user delegation key (Entra ID), never with an account
// key: it needs no key access on the account and dies with its expiry or when the key is revoked.
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
} from '@azure/storage-blob';

/**
 * SAS version signed. The SDK's default is newer than what Azurite (the tests' storage) verifies;
 * 2025-11-05 is a released service version that both accept.
 */
const SAS_VERSION = '2025-11-05';
/** Start this far back: the VM's and the storage service's clocks may be a few minutes apart. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** A user delegation key is valid for at most 7 days. */
const MAX_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * `<blob url>?<sas>`: read permission on exactly that blob, HTTPS only, until `expiresOn`. A
 * secret: the caller masks it in logs. `service` must authenticate with a token credential (the
 * same account as the blob).
 */
export async function userDelegationSas(
  service: BlobServiceClient,
  blob: { containerName: string; name: string; url: string },
  expiresOn: Date,
  opts: { signal?: AbortSignal; now?: Date } = {},
): Promise<string> {
  const now = opts.now ?? new Date();
  if (expiresOn.getTime() <= now.getTime())
    throw new Error(
      `A SAS for '${blob.name}' must expire in the future (asked for ${expiresOn.toISOString()}).`,
    );
  if (expiresOn.getTime() - now.getTime() > MAX_VALIDITY_MS) {
    throw new Error(
      `A user delegation SAS lasts at most 7 days; '${blob.name}' was asked to stay ` +
        `readable until ${expiresOn.toISOString()}. Shorten the build timeout or let the ` +
        `build VM's identity download the archive.`,
    );
  }
  const startsOn = new Date(now.getTime() - CLOCK_SKEW_MS);
  const key = await service.getUserDelegationKey(startsOn, expiresOn, { abortSignal: opts.signal });
  const sas = generateBlobSASQueryParameters(
    {
      containerName: blob.containerName,
      blobName: blob.name,
      permissions: BlobSASPermissions.parse('r'),
      startsOn,
      expiresOn,
      protocol: SASProtocol.Https,
      version: SAS_VERSION,
    },
    key,
    service.accountName,
  ).toString();
  return `${blob.url}${blob.url.includes('?') ? '&' : '?'}${sas}`;
}
