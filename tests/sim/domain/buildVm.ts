// The build VM as a customiser's commands see it (scriptSim.ts runs them): its disk (files the
// simulated commands downloaded), its instance metadata endpoint and HTTP from inside it.
//   - IMDS (http://169.254.169.254/metadata/identity/oauth2/token): tokens for the user-assigned
// identities
//     of the template's `vmProfile.userAssignedIdentities` only — the image builder's own identity
//     (`identity`) is not on the build VM. `Metadata: true` is required; without client_id /
// object_id /
//     msi_res_id the VM's only identity answers, and with several IMDS asks which one. Tokens are
// real
//     simulator tokens (v1.0 JWT, oid = the identity's principal).
//   - Blob URLs on this simulator's Azurite: with a SAS (`sig=`) the request goes to Azurite, which
// checks
//     the SAS; with `Authorization: Bearer` the token is verified (signature, lifetime, storage
// audience,
//     x-ms-version 2017-11-09 or later) and, with `rbac: true`, its principal needs the data action
//     `.../blobs/read` on the container; without either, a private container answers as Azure does.
//   - Other URLs off this machine are reachable with unknown content, unless `unreachableUrls`
// names them.
import { BlobClient } from '@azure/storage-blob';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import type { SimServices } from '../arm/framework';
import { trustingStorageHttpClient } from '../core/trustingHttpClient';
import { USER_ASSIGNED_IDENTITY_TYPE } from '../entra/directory';
import type { StoredResource } from '../arm/store';
import { azuritePort, isLoopback, STORAGE_ACCOUNT_TYPE, unreachable } from './externalFiles';

/**
 * What a GET from the VM got: a response, or (`error`) no connection at all. `body` undefined:
 * content not known here.
 */
export interface VmResponse {
  status: number;
  body?: Buffer;
  error?: { kind: 'dns' | 'refused'; host: string };
}

/**
 * A file on the VM: its content, 'unknown' (written with content the simulator can't know), or
 * 'absent'.
 */
export type VmFile = Buffer | 'unknown' | 'absent';

export interface VmAccess {
  get(url: string, headers: Record<string, string>): Promise<VmResponse>;
  /** A file the simulated steps wrote or failed to write; undefined: never touched by them. */
  readFile(path: string): VmFile | undefined;
  writeFile(path: string, content: VmFile): void;
}

const IMDS_HOST = '169.254.169.254';
const BLOB_READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
/** The audiences a storage data plane accepts (the account's own endpoint is also one). */
const STORAGE_AUDIENCE =
  /^https:\/\/(storage\.azure\.com|[a-z0-9]+\.blob\.core\.windows\.net)\/?$/i;
const OTHER_AUDIENCE =
  /^https:\/\/(management\.azure\.com|management\.core\.windows\.net|vault\.azure\.net)\/?$/i;

const STORAGE_MESSAGES: Record<string, string> = {
  AuthorizationFailure: 'This request is not authorized to perform this operation.',
  AuthenticationFailed:
    'Server failed to authenticate the request. Make sure the value of Authorization ' +
    'header is formed correctly including the signature.',
  BlobNotFound: 'The specified blob does not exist.',
  ContainerNotFound: 'The specified container does not exist.',
};

const json = (status: number, body: unknown): VmResponse => ({
  status,
  body: Buffer.from(JSON.stringify(body), 'utf8'),
});

function storageError(status: number, code: string, message: string, detail?: string): VmResponse {
  const xml =
    `<?xml version="1.0" ` +
    `encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:` +
    `${randomUUID()}\nTime:${new Date().toISOString()}</Message>` +
    `${detail ? `<AuthenticationErrorDetail>${detail}</AuthenticationErrorDetail>` : ''}</Error>`;
  return { status, body: Buffer.from(xml, 'utf8') };
}

/** Windows paths (a drive letter or a backslash) are case-insensitive and take either slash. */
function fileKey(path: string): string {
  return /^[A-Za-z]:[\\/]|\\/.test(path) ? path.replace(/\//g, '\\').toLowerCase() : path;
}

export class BuildVm implements VmAccess {
  private readonly files = new Map<string, VmFile>();

  constructor(
    private readonly sim: SimServices,
    private readonly template: StoredResource,
  ) {}

  readFile(path: string): VmFile | undefined {
    return this.files.get(fileKey(path));
  }

  writeFile(path: string, content: VmFile): void {
    this.files.set(fileKey(path), content);
  }

  async get(url: string, headers: Record<string, string>): Promise<VmResponse> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { status: 0, error: { kind: 'dns', host: url } };
    }
    const header = (name: string): string | undefined =>
      Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    if (u.hostname === IMDS_HOST) return this.imds(u, header);
    if (unreachable(this.sim, url)) return { status: 0, error: { kind: 'dns', host: u.hostname } };
    if (!isLoopback(u.hostname)) return { status: 200 };
    if (u.port !== azuritePort(this.sim))
      return { status: 0, error: { kind: 'refused', host: u.host } };
    return this.blob(u, header);
  }

  /**
   * The identities assigned to the build VM (vmProfile.userAssignedIdentities), as the directory
   * knows them.
   */
  private identities(): Array<{ id: string; clientId: string; principalId: string }> {
    const ids: string[] = this.template.properties?.vmProfile?.userAssignedIdentities ?? [];
    const all = this.sim.store.list({ type: USER_ASSIGNED_IDENTITY_TYPE });
    return ids
      .map((id) => all.find((r) => r.id.toLowerCase() === String(id).toLowerCase()))
      .filter((r): r is StoredResource => !!r)
      .map((r) => ({
        id: r.id,
        clientId: String(r.properties?.clientId ?? ''),
        principalId: String(r.properties?.principalId ?? ''),
      }));
  }

  private imds(u: URL, header: (n: string) => string | undefined): VmResponse {
    if (u.pathname !== '/metadata/identity/oauth2/token')
      return json(404, { error: 'not_found', error_description: `No handler for ${u.pathname}` });
    if (String(header('Metadata') ?? '').toLowerCase() !== 'true')
      return json(400, {
        error: 'invalid_request',
        error_description: 'Required metadata header not specified',
      });
    const q = u.searchParams;
    if (!q.get('api-version'))
      return json(400, {
        error: 'invalid_request',
        error_description: 'Required api-version parameter not specified',
      });
    const resource = q.get('resource');
    if (!resource)
      return json(400, {
        error: 'invalid_request',
        error_description: 'Required audience parameter not specified',
      });
    const eq = (a: string | null, b: string) => !!a && a.toLowerCase() === b.toLowerCase();
    const mine = this.identities();
    const clientId = q.get('client_id');
    const objectId = q.get('object_id') ?? q.get('principal_id');
    const resId = q.get('msi_res_id') ?? q.get('mi_res_id');
    let identity;
    if (clientId || objectId || resId) {
      identity = mine.find(
        (m) => eq(clientId, m.clientId) || eq(objectId, m.principalId) || eq(resId, m.id),
      );
    } else if (mine.length > 1) {
      return json(400, {
        error: 'invalid_request',
        error_description:
          'Multiple user assigned identities exist, please specify the clientId / ' +
          'resourceId of the identity in the token request',
      });
    } else {
      identity = mine[0];
    }
    if (!identity)
      return json(400, { error: 'invalid_request', error_description: 'Identity not found' });
    if (!STORAGE_AUDIENCE.test(resource) && !OTHER_AUDIENCE.test(resource)) {
      return json(400, {
        error: 'invalid_resource',
        error_description:
          `AADSTS500011: The resource principal named ${resource} was not found in the ` +
          `tenant.`,
      });
    }
    const t = this.sim.tokens.issue(
      {
        objectId: identity.principalId,
        appId: identity.clientId,
        appidacr: '0',
        resourceId: identity.id,
      },
      resource,
    );
    return json(200, {
      access_token: t.token,
      client_id: identity.clientId,
      expires_in: String(t.expiresIn),
      expires_on: String(t.expiresOn),
      ext_expires_in: String(t.expiresIn),
      not_before: String(t.notBefore),
      resource,
      token_type: 'Bearer',
    });
  }

  private async blob(u: URL, header: (n: string) => string | undefined): Promise<VmResponse> {
    const [account, container, ...blobParts] = u.pathname
      .split('/')
      .filter((s) => s.length > 0)
      .map(decodeURIComponent);
    if (!account || !this.sim.storage.keys(account))
      return { status: 0, error: { kind: 'dns', host: `${account ?? ''}.blob.core.windows.net` } };
    if (!container || blobParts.length === 0)
      return storageError(
        400,
        'InvalidUri',
        'The requested URI does not represent any resource on the server.',
      );
    if (u.searchParams.has('sig')) return this.withSas(u);
    const auth = header('Authorization');
    const acct = this.sim.store
      .list({ type: STORAGE_ACCOUNT_TYPE })
      .find((r) => r.name.toLowerCase() === account.toLowerCase());
    if (!auth) {
      return acct?.properties?.allowBlobPublicAccess === false
        ? storageError(
            409,
            'PublicAccessNotPermitted',
            'Public access is not permitted on this storage account.',
          )
        : storageError(404, 'ResourceNotFound', 'The specified resource does not exist.');
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!bearer)
      return storageError(
        400,
        'InvalidAuthenticationInfo',
        'Authentication information is not given in the correct format. Check the value of ' +
          'Authorization header.',
      );
    const version = header('x-ms-version');
    if (!version || version < '2017-11-09') {
      return storageError(
        403,
        'AuthenticationFailed',
        'Server failed to authenticate the request. Make sure the value of Authorization ' +
          'header is formed correctly including the signature.',
        'Authentication scheme Bearer is not supported in this version.',
      );
    }
    const v = this.sim.tokens.verify(bearer[1]);
    if (!v.ok) {
      const why =
        v.reason === 'expired'
          ? 'Lifetime validation failed. The token is expired.'
          : 'Signature validation failed.';
      return storageError(
        401,
        'InvalidAuthenticationInfo',
        'Server failed to authenticate the request. Please refer to the information in the ' +
          'www-authenticate header.',
        why,
      );
    }
    if (!STORAGE_AUDIENCE.test(v.claims.aud)) {
      return storageError(
        401,
        'InvalidAuthenticationInfo',
        'Server failed to authenticate the request. Please refer to the information in the ' +
          'www-authenticate header.',
        'Audience validation failed. Audience did not match.',
      );
    }
    const scope = acct ? `${acct.id}/blobServices/default/containers/${container}` : undefined;
    if (scope && !this.sim.rbac.isAllowed(v.claims.oid, BLOB_READ, scope, { dataAction: true })) {
      return storageError(
        403,
        'AuthorizationPermissionMismatch',
        'This request is not authorized to perform this operation using this permission.',
      );
    }
    try {
      return {
        status: 200,
        body: await this.sim.storage
          .client(account)
          .getContainerClient(container)
          .getBlobClient(blobParts.join('/'))
          .downloadToBuffer(),
      };
    } catch (e: any) {
      if (e?.statusCode === 404)
        return storageError(404, e?.code ?? 'BlobNotFound', 'The specified blob does not exist.');
      return storageError(
        e?.statusCode ?? 500,
        e?.code ?? 'InternalError',
        String(e?.message ?? 'The download failed.'),
      );
    }
  }

  /** A SAS is Azurite's to check: the request goes to it as the VM sent it. */
  private async withSas(u: URL): Promise<VmResponse> {
    const client = new BlobClient(u.toString(), undefined, {
      httpClient: trustingStorageHttpClient(fs.readFileSync(this.sim.info.caCertPath, 'utf8')),
      retryOptions: { maxTries: 1 },
    });
    try {
      return { status: 200, body: await client.downloadToBuffer() };
    } catch (e: any) {
      // A GET's error body does not reach the SDK's error; its code comes in x-ms-error-code.
      const code = String(e?.details?.errorCode ?? e?.code ?? 'InternalError');
      return storageError(
        e?.statusCode ?? 500,
        code,
        STORAGE_MESSAGES[code] ?? String(e?.message || 'The download failed.').split('\n')[0],
      );
    }
  }
}
