// The managed identity endpoint (IMDS shape) that @azure/identity's ManagedIdentityCredential
// reaches through AZURE_POD_IDENTITY_AUTHORITY_HOST: GET /metadata/identity/oauth2/token with
// `Metadata: true`. Plain HTTP on loopback, like IMDS (msal-node and @azure/identity allow http for
// this source).
import type * as http from 'http';
import { sendJson } from '../core/http';
import type { Directory } from '../entra/directory';
import type { TokenService } from '../entra/tokens';

export class MsiEndpoint {
  constructor(
    private readonly directory: Directory,
    private readonly tokens: TokenService,
    private readonly knownResource: (resource: string) => boolean,
    private readonly countGrant: (kind: string) => void,
  ) {}

  handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    query: URLSearchParams,
  ): void {
    if (path.toLowerCase() !== '/metadata/identity/oauth2/token') {
      sendJson(res, 404, {
        error: 'not_found',
        error_description:
          `No handler for ${path}. (The simulator serves /metadata/identity/oauth2/token ` +
          `only.)`,
      });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: 'invalid_request', error_description: 'Method not allowed' });
      return;
    }
    if (String(req.headers.metadata ?? '').toLowerCase() !== 'true') {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'Required metadata header not specified',
      });
      return;
    }
    const resource = query.get('resource');
    if (!resource) {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'Required audience parameter not specified',
      });
      return;
    }
    const identity = this.directory.managedIdentity({
      clientId: query.get('client_id') ?? undefined,
      objectId: query.get('object_id') ?? undefined,
      resourceId: query.get('msi_res_id') ?? query.get('mi_res_id') ?? undefined,
    });
    if (!identity) {
      sendJson(res, 400, { error: 'invalid_request', error_description: 'Identity not found' });
      return;
    }
    if (!this.knownResource(resource)) {
      sendJson(res, 400, {
        error: 'invalid_resource',
        error_description:
          `AADSTS500011: The resource principal named ${resource} was not found in the ` +
          `tenant.`,
      });
      return;
    }
    const t = this.tokens.issue(
      {
        objectId: identity.objectId,
        appId: identity.clientId,
        appidacr: '0',
        resourceId: identity.resourceId,
      },
      resource,
    );
    this.countGrant('managed_identity');
    // IMDS answers numbers as strings.
    sendJson(res, 200, {
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
}
