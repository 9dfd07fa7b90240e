// Access tokens as Entra ID issues them for client-credential and managed-identity flows: v1.0 JWTs
// (iss https://sts.windows.net/{tenant}/), which Resource Manager and Azurite (`--oauth basic`)
// accept.
import { randomUUID } from 'crypto';
import { decodeJwt, SigningKey } from '../core/jwt';

export interface TokenSubject {
  objectId: string;
  appId: string;
  /** 1 = client secret, 2 = certificate or assertion, 0 = managed identity (appidacr). */
  appidacr: '0' | '1' | '2';
  /** Resource id of a managed identity (xms_mirid). */
  resourceId?: string;
}

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  appidacr: string;
  idp: string;
  idtyp: string;
  oid: string;
  sub: string;
  tid: string;
  uti: string;
  ver: string;
  xms_mirid?: string;
  /** Application permissions granted to the app on the token's resource (Microsoft Graph's). */
  roles?: string[];
}

export type VerifyResult =
  | { ok: true; claims: AccessTokenClaims }
  | {
      ok: false;
      reason: 'malformed' | 'signature' | 'expired' | 'notYetValid';
      claims?: AccessTokenClaims;
    };

export const TOKEN_LIFETIME_SECONDS = 3599;

export class TokenService {
  readonly issuer: string;
  /** Every access token issued, in order (the state dump's `issuedTokens`: secret scans). */
  readonly issued: string[] = [];

  constructor(
    readonly tenantId: string,
    readonly key: SigningKey,
    /**
     * The app roles (application permissions) a subject holds on a resource; undefined: no `roles`
     * claim.
     */
    private readonly rolesFor: (
      subject: TokenSubject,
      audience: string,
    ) => string[] | undefined = () => undefined,
  ) {
    this.issuer = `https://sts.windows.net/${tenantId}/`;
  }

  issue(
    subject: TokenSubject,
    audience: string,
  ): { token: string; expiresIn: number; expiresOn: number; notBefore: number } {
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      aud: audience,
      iss: this.issuer,
      iat: now,
      nbf: now - 300,
      exp: now + TOKEN_LIFETIME_SECONDS,
      appid: subject.appId,
      appidacr: subject.appidacr,
      idp: this.issuer,
      idtyp: 'app',
      oid: subject.objectId,
      sub: subject.objectId,
      tid: this.tenantId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
      ver: '1.0',
    };
    if (subject.resourceId) claims.xms_mirid = subject.resourceId;
    const roles = this.rolesFor(subject, audience);
    // Entra leaves the claim out when none is granted.
    if (roles && roles.length > 0) claims.roles = roles;
    const token = this.key.sign(claims as any);
    this.issued.push(token);
    return {
      token,
      expiresIn: TOKEN_LIFETIME_SECONDS,
      expiresOn: claims.exp,
      notBefore: claims.nbf,
    };
  }

  verify(token: string): VerifyResult {
    const jwt = decodeJwt(token);
    if (!jwt) return { ok: false, reason: 'malformed' };
    const claims = jwt.payload as AccessTokenClaims;
    if (!this.key.verify(jwt)) return { ok: false, reason: 'signature', claims };
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp < now)
      return { ok: false, reason: 'expired', claims };
    if (typeof claims.nbf === 'number' && claims.nbf > now + 300)
      return { ok: false, reason: 'notYetValid', claims };
    return { ok: true, claims };
  }
}
