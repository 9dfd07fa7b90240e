// Compact JWS (RS256/PS256) signing and verification with node:crypto.
import * as crypto from 'crypto';

export type JwtAlg = 'RS256' | 'PS256';

export interface DecodedJwt {
  header: Record<string, any>;
  payload: Record<string, any>;
  signingInput: string;
  signature: Buffer;
}

export function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function signJwt(
  header: Record<string, any>,
  payload: Record<string, any>,
  privateKeyPem: string | crypto.KeyObject,
): string {
  const alg: JwtAlg = header.alg ?? 'RS256';
  const full = { typ: 'JWT', ...header, alg };
  const signingInput = `${b64url(JSON.stringify(full))}.${b64url(JSON.stringify(payload))}`;
  const key =
    typeof privateKeyPem === 'string' ? crypto.createPrivateKey(privateKeyPem) : privateKeyPem;
  const signature = crypto.sign(
    'sha256',
    Buffer.from(signingInput),
    alg === 'PS256'
      ? { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : key,
  );
  return `${signingInput}.${b64url(signature)}`;
}

/** Parses a compact JWS; returns undefined if it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof header !== 'object' || typeof payload !== 'object' || !header || !payload)
      return undefined;
    return {
      header,
      payload,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url'),
    };
  } catch {
    return undefined;
  }
}

export function verifyJwtSignature(jwt: DecodedJwt, publicKey: crypto.KeyLike): boolean {
  const alg = jwt.header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') return false;
  const key =
    typeof publicKey === 'string' || Buffer.isBuffer(publicKey)
      ? crypto.createPublicKey(publicKey)
      : publicKey;
  return crypto.verify(
    'sha256',
    Buffer.from(jwt.signingInput),
    alg === 'PS256'
      ? {
          key,
          padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
          saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO,
        }
      : key,
    jwt.signature,
  );
}

/** A signing key with its JWKS entry. */
export class SigningKey {
  readonly privateKey: crypto.KeyObject;
  readonly publicKey: crypto.KeyObject;
  readonly kid: string;

  constructor(pair: crypto.KeyPairKeyObjectResult) {
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = b64url(
      crypto
        .createHash('sha1')
        .update(pair.publicKey.export({ type: 'spki', format: 'der' }))
        .digest(),
    );
  }

  sign(payload: Record<string, any>, extraHeader: Record<string, any> = {}): string {
    return signJwt(
      { alg: 'RS256', kid: this.kid, x5t: this.kid, ...extraHeader },
      payload,
      this.privateKey,
    );
  }

  verify(jwt: DecodedJwt): boolean {
    return verifyJwtSignature(jwt, this.publicKey);
  }

  jwk(): Record<string, any> {
    const jwk = this.publicKey.export({ format: 'jwk' }) as Record<string, any>;
    return {
      kty: 'RSA',
      use: 'sig',
      kid: this.kid,
      x5t: this.kid,
      n: jwk.n,
      e: jwk.e,
      alg: 'RS256',
    };
  }
}
