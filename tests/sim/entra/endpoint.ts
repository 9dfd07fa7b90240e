// The Entra ID (Azure AD) endpoints MSAL and @azure/identity use with a custom authorityHost and
// disableInstanceDiscovery: OpenID discovery, JWKS, and the token endpoint's client-credentials
// grant with a client secret, a certificate-signed client assertion, or a federated (workload
// identity) assertion.
import { randomUUID } from 'crypto';
import type * as http from 'http';
import { decodeJwt, SigningKey, verifyJwtSignature } from '../core/jwt';
import { parseForm, sendJson } from '../core/http';
import type { Directory, AppRegistration } from './directory';
import type { TokenService } from './tokens';

export interface EntraOptions {
  authorityHost: string; // with trailing slash
  tenantId: string;
  tenantName: string;
  directory: Directory;
  tokens: TokenService;
  /**
   * Issuers of federated assertions and their signing keys (the simulated Azure DevOps OIDC
   * issuer).
   */
  federatedIssuers: Map<string, SigningKey>;
  /** Whether a token audience names a resource this tenant knows (ARM, storage). */
  knownResource(resource: string): boolean;
  countGrant(kind: string): void;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function entraTimestamp(): string {
  return new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export class EntraEndpoint {
  constructor(private readonly o: EntraOptions) {}

  /** Handles the request if it is an Entra path; returns false otherwise. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string, body: Buffer): boolean {
    const m = new RegExp(
      '^\\/([^/]+)\\/(v2\\.0\\/\\.well-known\\/openid-configuration|\\.well-known\\' +
        '/openid-configur' +
        ('ation|discovery\\/v2\\.0\\/keys|discovery\\/keys|discovery\\/instance|oauth2\\' +
          '/v2\\.0\\/toke') +
        'n|oauth2\\/token)$',
      'i',
    ).exec(path);
    if (!m) return false;
    const tenant = decodeURIComponent(m[1]);
    const what = m[2].toLowerCase();
    try {
      if (what === 'discovery/instance') {
        // Only reached when a client does instance discovery; answer as the public cloud does for a
        // custom host.
        sendJson(res, 200, {
          tenant_discovery_endpoint:
            `${this.o.authorityHost}${tenant}/v2.0/.well-known` + `/openid-configuration`,
          'api-version': '1.1',
          metadata: [
            {
              preferred_network: new URL(this.o.authorityHost).host,
              preferred_cache: new URL(this.o.authorityHost).host,
              aliases: [new URL(this.o.authorityHost).host],
            },
          ],
        });
        return true;
      }
      if (what.startsWith('discovery/')) {
        sendJson(res, 200, { keys: [this.o.tokens.key.jwk()] });
        return true;
      }
      this.checkTenant(tenant);
      if (what.endsWith('openid-configuration')) {
        if (req.method !== 'GET')
          throw new EntraError(
            405,
            'invalid_request',
            900561,
            'AADSTS900561: The endpoint only accepts GET requests.',
          );
        sendJson(res, 200, this.openidConfiguration(what.startsWith('v2.0')));
        return true;
      }
      if (req.method !== 'POST')
        throw new EntraError(
          405,
          'invalid_request',
          900561,
          'AADSTS900561: The endpoint only accepts POST requests.',
        );
      const form = parseForm(body);
      sendJson(res, 200, this.token(form, what === 'oauth2/v2.0/token'), {
        'Cache-Control': 'no-store, no-cache',
        Pragma: 'no-cache',
      });
    } catch (e) {
      if (!(e instanceof EntraError)) throw e;
      const trace = randomUUID();
      const correlation = String(req.headers['client-request-id'] ?? randomUUID());
      const ts = entraTimestamp();
      sendJson(res, e.status, {
        error: e.error,
        error_description:
          `${e.message} Trace ID: ${trace} Correlation ID: ${correlation} ` + `Timestamp: ${ts}`,
        error_codes: [e.code],
        timestamp: ts,
        trace_id: trace,
        correlation_id: correlation,
        error_uri: `${this.o.authorityHost}error?code=${e.code}`,
      });
    }
    return true;
  }

  private checkTenant(tenant: string): void {
    if (
      tenant.toLowerCase() !== this.o.tenantId.toLowerCase() &&
      tenant.toLowerCase() !== this.o.tenantName.toLowerCase()
    ) {
      throw new EntraError(
        400,
        'invalid_request',
        90002,
        `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the ` +
          `correct tenant ID and are signing into the correct cloud. Check with your ` +
          `subscription administrator, this may happen if there are no active subscriptions ` +
          `for the tenant.`,
      );
    }
  }

  private openidConfiguration(v2: boolean): Record<string, unknown> {
    const base = `${this.o.authorityHost}${this.o.tenantId}`;
    return {
      token_endpoint: `${base}/oauth2/${v2 ? 'v2.0/' : ''}token`,
      token_endpoint_auth_methods_supported: [
        'client_secret_post',
        'private_key_jwt',
        'client_secret_basic',
      ],
      jwks_uri: `${base}/discovery/${v2 ? 'v2.0/' : ''}keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: v2 ? `${base}/v2.0` : this.o.tokens.issuer,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${base}/openid/userinfo`,
      authorization_endpoint: `${base}/oauth2/${v2 ? 'v2.0/' : ''}authorize`,
      device_authorization_endpoint: `${base}/oauth2/${v2 ? 'v2.0/' : ''}devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/${v2 ? 'v2.0/' : ''}logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: new URL(this.o.authorityHost).host,
      cloud_graph_host_name: new URL(this.o.authorityHost).host,
      msgraph_host: new URL(this.o.authorityHost).host,
      rbac_url: this.o.authorityHost,
    };
  }

  private token(form: Record<string, string>, v2: boolean): Record<string, unknown> {
    const grant = form.grant_type;
    if (!grant)
      throw new EntraError(
        400,
        'invalid_request',
        900144,
        "AADSTS900144: The request body must contain the following parameter: 'grant_type'.",
      );
    if (grant !== 'client_credentials') {
      throw new EntraError(
        400,
        'unsupported_grant_type',
        70003,
        `AADSTS70003: The app requested an unsupported grant type '${grant}'. (The ` +
          `simulator implements the client_credentials grant only.)`,
      );
    }
    const clientId = form.client_id;
    if (!clientId)
      throw new EntraError(
        400,
        'invalid_request',
        900144,
        "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
      );
    const resource = this.resourceOf(form, v2);
    const app = this.o.directory.app(clientId);
    if (!app) {
      throw new EntraError(
        400,
        'unauthorized_client',
        700016,
        `AADSTS700016: Application with identifier '${clientId}' was not found in the ` +
          `directory '${this.o.tenantName}'. This can happen if the application has not been ` +
          `installed by the administrator of the tenant or consented to by any user in the ` +
          `tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    let kind: string;
    if (form.client_secret !== undefined) {
      if (!app.secret || form.client_secret !== app.secret) {
        throw new EntraError(
          401,
          'invalid_client',
          7000215,
          `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in ` +
            `the request is the client secret value, not the client secret ID, for a secret ` +
            `added to app '${app.clientId}'.`,
        );
      }
      kind = 'client_secret';
    } else if (form.client_assertion !== undefined) {
      if (form.client_assertion_type !== JWT_BEARER) {
        throw new EntraError(
          400,
          'invalid_request',
          900023,
          `AADSTS900023: Specified client_assertion_type ` +
            `'${form.client_assertion_type ?? ''}' is not supported.`,
        );
      }
      kind = this.checkAssertion(app, form.client_assertion);
    } else {
      throw new EntraError(
        400,
        'invalid_client',
        7000218,
        'AADSTS7000218: The request body must contain the following parameter: ' +
          "'client_assertion' or 'client_secret'.",
      );
    }
    if (!this.o.knownResource(resource)) {
      throw new EntraError(
        400,
        'invalid_resource',
        500011,
        `AADSTS500011: The resource principal named ${resource} was not found in the ` +
          `tenant named ${this.o.tenantName}. This can happen if the application has not ` +
          `been installed by the administrator of the tenant or consented to by any user in ` +
          `the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    const t = this.o.tokens.issue(
      {
        objectId: app.objectId,
        appId: app.clientId,
        appidacr: kind === 'client_secret' ? '1' : '2',
      },
      resource,
    );
    this.o.countGrant(kind);
    const out: Record<string, unknown> = {
      token_type: 'Bearer',
      expires_in: t.expiresIn,
      ext_expires_in: t.expiresIn,
      access_token: t.token,
    };
    if (!v2)
      Object.assign(out, {
        expires_on: String(t.expiresOn),
        not_before: String(t.notBefore),
        resource,
      });
    return out;
  }

  /** The audience the token is for: scope "<resource>/.default" (v2) or resource (v1). */
  private resourceOf(form: Record<string, string>, v2: boolean): string {
    if (!v2) {
      if (!form.resource)
        throw new EntraError(
          400,
          'invalid_request',
          900144,
          "AADSTS900144: The request body must contain the following parameter: 'resource'.",
        );
      return form.resource;
    }
    const scope = (form.scope ?? '').trim();
    if (!scope)
      throw new EntraError(
        400,
        'invalid_request',
        900144,
        "AADSTS900144: The request body must contain the following parameter: 'scope'.",
      );
    const scopes = scope
      .split(/\s+/)
      .filter((s) => !['openid', 'profile', 'offline_access'].includes(s));
    if (scopes.length !== 1 || !scopes[0].endsWith('/.default')) {
      throw new EntraError(
        400,
        'invalid_scope',
        1002012,
        `AADSTS1002012: The provided value for scope ${scope} is not valid. Client ` +
          `credential flows must have a scope value with /.default suffixed to the resource ` +
          `identifier (application ID URI).`,
      );
    }
    return scopes[0].slice(0, -'/.default'.length);
  }

  private checkAssertion(app: AppRegistration, assertion: string): string {
    const jwt = decodeJwt(assertion);
    if (!jwt)
      throw new EntraError(
        400,
        'invalid_client',
        50027,
        'AADSTS50027: JWT token is invalid or malformed.',
      );
    const p = jwt.payload;
    const now = Math.floor(Date.now() / 1000);
    const checkTime = (): void => {
      if (
        typeof p.exp !== 'number' ||
        p.exp < now - 300 ||
        (typeof p.nbf === 'number' && p.nbf > now + 300)
      ) {
        throw new EntraError(
          400,
          'invalid_client',
          700024,
          `AADSTS700024: Client assertion is not within its valid time range. Current ` +
            `time: ${new Date().toISOString()}, assertion valid from ` +
            `${p.nbf ? new Date(p.nbf * 1000).toISOString() : 'unknown'}, expiry time of ` +
            `assertion ${p.exp ? new Date(p.exp * 1000).toISOString() : 'unknown'}. Review ` +
            `the documentation at ` +
            `https://docs.microsoft.com/azure/active-directory/develop` +
            `/active-directory-certificate-credentials .`,
        );
      }
    };
    const issuerKey = typeof p.iss === 'string' ? this.o.federatedIssuers.get(p.iss) : undefined;
    if (issuerKey || (app.federated && !jwt.header.x5t && !jwt.header['x5t#S256'])) {
      // Workload identity federation: the assertion is the pipeline's OIDC token.
      const fic = app.federated;
      const detail =
        `Assertion Issuer: '${p.iss}'. Assertion Subject: '${p.sub}'. Assertion Audience: ` +
        `'${Array.isArray(p.aud) ? p.aud.join(',') : p.aud}'.`;
      if (!fic)
        throw new EntraError(
          400,
          'invalid_client',
          70021,
          `AADSTS70021: No matching federated identity record found for presented ` +
            `assertion. ${detail} ` +
            `https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
        );
      if (p.iss !== fic.issuer)
        throw new EntraError(
          400,
          'invalid_client',
          700211,
          `AADSTS700211: No matching federated identity record found for presented ` +
            `assertion issuer '${p.iss}'. Please check your federated identity credential ` +
            `Subject, Audience and Issuer against the presented assertion. ` +
            `https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
        );
      const auds = Array.isArray(p.aud) ? p.aud : [p.aud];
      if (!auds.includes(fic.audience))
        throw new EntraError(
          400,
          'invalid_client',
          700212,
          `AADSTS700212: No matching federated identity record found for presented ` +
            `assertion audience '${auds.join(',')}'. Please check your federated identity ` +
            `credential Subject, Audience and Issuer against the presented assertion. ` +
            `https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
        );
      const subjectOk =
        fic.subject !== undefined
          ? p.sub === fic.subject
          : typeof p.sub === 'string' && p.sub.startsWith('sc://');
      if (!subjectOk)
        throw new EntraError(
          400,
          'invalid_client',
          700213,
          `AADSTS700213: No matching federated identity record found for presented ` +
            `assertion subject '${p.sub}'. Please check your federated identity credential ` +
            `Subject, Audience and Issuer against the presented assertion. ` +
            `https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
        );
      if (!issuerKey || !issuerKey.verify(jwt))
        throw new EntraError(
          400,
          'invalid_client',
          50013,
          'AADSTS50013: Assertion failed signature validation. [Reason - The key was not found.]',
        );
      checkTime();
      return 'client_assertion';
    }
    // Certificate credential: the assertion is signed with the app's certificate key.
    const want256 = jwt.header['x5t#S256']
      ? Buffer.from(String(jwt.header['x5t#S256']), 'base64url')
      : undefined;
    const want1 = jwt.header.x5t ? Buffer.from(String(jwt.header.x5t), 'base64url') : undefined;
    const cert = app.certificates.find(
      (c) => (want256 && c.sha256.equals(want256)) || (want1 && c.sha1.equals(want1)),
    );
    if (!cert) {
      const thumb = (want256 ?? want1 ?? Buffer.alloc(0)).toString('hex').toUpperCase();
      throw new EntraError(
        401,
        'invalid_client',
        700027,
        `AADSTS700027: The certificate with identifier used to sign the client assertion ` +
          `is not registered on application. [Reason - The key was not found., Thumbprint of ` +
          `key used by client: '${thumb}', Please visit the Azure Portal, Graph Explorer or ` +
          `directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`,
      );
    }
    if (!verifyJwtSignature(jwt, cert.publicKey)) {
      throw new EntraError(
        401,
        'invalid_client',
        700027,
        'AADSTS700027: Client assertion failed signature validation.',
      );
    }
    const endpoints = [
      `${this.o.authorityHost}${this.o.tenantId}/oauth2/v2.0/token`,
      `${this.o.authorityHost}${this.o.tenantId}/oauth2/token`,
    ].map((u) => u.toLowerCase());
    const aud = String(p.aud ?? '').toLowerCase();
    if (!endpoints.includes(aud)) {
      throw new EntraError(
        401,
        'invalid_client',
        700021,
        `AADSTS700021: Client assertion audience claim does not match Realm issuer. Review ` +
          `the documentation at ` +
          `https://docs.microsoft.com/azure/active-directory/develop` +
          `/active-directory-certificate-credentials .`,
      );
    }
    if (p.iss !== app.clientId || p.sub !== app.clientId) {
      throw new EntraError(
        401,
        'invalid_client',
        700023,
        `AADSTS700023: Client assertion application identifier doesn't match 'client_id' ` +
          `parameter. Review the documentation at ` +
          `https://docs.microsoft.com/azure/active-directory/develop` +
          `/active-directory-certificate-credentials .`,
      );
    }
    checkTime();
    return 'client_certificate';
  }
}
