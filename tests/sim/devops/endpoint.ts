// Azure DevOps, as far as workload identity federation needs it: the distributedtask OIDC token
// endpoint, reached either through azure-devops-node-api (OPTIONS location lookup on
// {collection}/_apis/distributedtask, then POST the "oidctoken" route) or directly through
// SYSTEM_OIDCREQUESTURI (AzurePipelinesCredential). Both require the job's System.AccessToken as a
// bearer token.
import { randomUUID } from 'crypto';
import type * as http from 'http';
import { bearerToken, sendJson } from '../core/http';
import { decodeJwt, SigningKey } from '../core/jwt';

/** Defaults a runner can use for the pipeline variables that appear in the OIDC routes. */
export const DEVOPS_DEFAULTS = {
  organization: 'simorg',
  organizationId: '5f0c6c3e-9d2b-4c63-8f64-0a7b4f1d2e11',
  projectId: '8a3e6c1b-2f4d-4e5a-9b7c-1d2e3f4a5b6c',
  planId: '3c9d2e1f-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  jobId: '12f1170f-54f2-53f3-20dd-22fc7dff55f9',
  hub: 'build',
};

/**
 * Location id of the distributedtask "oidctoken" resource (azure-devops-node-api
 * TaskApi.createOidcToken).
 */
export const OIDC_TOKEN_LOCATION_ID = '69a319f4-28c1-4bfd-93e6-ea0ff5c6f1a2';

export class DevOpsEndpoint {
  readonly issuer: string;
  readonly systemAccessToken: string;
  readonly collectionPath = `/devops/${DEVOPS_DEFAULTS.organization}/`;
  /** The OIDC tokens issued, in order (the state dump's `issuedTokens`). */
  readonly issued: string[] = [];

  constructor(
    readonly key: SigningKey,
    private readonly countGrant: (kind: string) => void,
  ) {
    this.issuer = `https://vstoken.dev.azure.com/${DEVOPS_DEFAULTS.organizationId}`;
    const now = Math.floor(Date.now() / 1000);
    this.systemAccessToken = key.sign({
      nameid: randomUUID(),
      scp: 'app_token',
      aui: randomUUID(),
      sid: randomUUID(),
      iss: 'app.vstoken.visualstudio.com',
      aud: `app.vstoken.visualstudio.com|vso:${DEVOPS_DEFAULTS.organizationId}`,
      nbf: now - 60,
      exp: now + 48 * 3600,
    });
  }

  /** SYSTEM_OIDCREQUESTURI for the default project/plan/job. */
  oidcRequestPath(): string {
    const d = DEVOPS_DEFAULTS;
    return (
      `${this.collectionPath}${d.projectId}/_apis/distributedtask/hubs/${d.hub}/plans/` +
      `${d.planId}/jobs/${d.jobId}/oidctoken`
    );
  }

  handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    query: URLSearchParams,
  ): boolean {
    if (!path.toLowerCase().startsWith(this.collectionPath.toLowerCase())) return false;
    const rest = path.slice(this.collectionPath.length);
    if (!this.authorized(req)) {
      this.vssError(
        res,
        401,
        "TF400813: The user '' is not authorized to access this resource.",
        'UnauthorizedRequestException',
      );
      return true;
    }
    if (req.method === 'OPTIONS' && /^_apis\/distributedtask\/?$/i.test(rest)) {
      sendJson(res, 200, {
        count: 1,
        value: [
          {
            id: OIDC_TOKEN_LOCATION_ID,
            area: 'distributedtask',
            resourceName: 'oidctoken',
            routeTemplate:
              '{scopeIdentifier}/_apis/{area}/hubs/{hubName}/plans/{planId}/jobs/{jobId}' +
              '/{resource}',
            resourceVersion: 1,
            minVersion: '7.1',
            maxVersion: '7.2',
            releasedVersion: '0.0',
          },
        ],
      });
      return true;
    }
    const m = new RegExp(
      '^([^/]+)\\/_apis\\/distributedtask\\/hubs\\/([^/]+)\\/plans\\/([^/]+)\\/jobs\\/([^' +
        '/]+)\\/oid' +
        'ctoken$',
      'i',
    ).exec(rest);
    if (m && req.method === 'POST') {
      const serviceConnectionId = query.get('serviceConnectionId');
      if (!serviceConnectionId) {
        this.vssError(
          res,
          400,
          'The service connection id must be provided (serviceConnectionId).',
          'ArgumentNullException',
        );
        return true;
      }
      const now = Math.floor(Date.now() / 1000);
      const project = decodeURIComponent(m[1]);
      const oidcToken = this.key.sign({
        jti: randomUUID(),
        sub: `sc://${DEVOPS_DEFAULTS.organization}/${project}/${serviceConnectionId}`,
        aud: 'api://AzureADTokenExchange',
        iss: this.issuer,
        nbf: now - 5,
        iat: now,
        exp: now + 10 * 60,
      });
      this.issued.push(oidcToken);
      this.countGrant('devops_oidc');
      sendJson(res, 200, { oidcToken });
      return true;
    }
    this.vssError(
      res,
      404,
      `The resource cannot be found. (The simulator implements only the distributedtask ` +
        `oidctoken API of Azure DevOps; ${req.method} ${path} is not simulated.)`,
      'NotFoundException',
    );
    return true;
  }

  private authorized(req: http.IncomingMessage): boolean {
    const token = bearerToken(req);
    const jwt = token ? decodeJwt(token) : undefined;
    return (
      !!jwt &&
      this.key.verify(jwt) &&
      jwt.payload.scp === 'app_token' &&
      jwt.payload.exp > Date.now() / 1000
    );
  }

  private vssError(
    res: http.ServerResponse,
    status: number,
    message: string,
    typeKey: string,
  ): void {
    sendJson(res, status, {
      $id: '1',
      innerException: null,
      message,
      typeName:
        `Microsoft.TeamFoundation.Framework.Server.${typeKey}, ` +
        `Microsoft.TeamFoundation.Framework.Server`,
      typeKey,
      errorCode: 0,
      eventId: 3000,
    });
  }
}
