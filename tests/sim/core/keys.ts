// RSA key pairs by purpose. Generating one takes ≈200 ms (seconds on a busy machine), and every
// simulator process needs five, so they are made on libuv's thread pool (while Azurite loads), kept
// for the process, and cached in the temp directory for later processes (test keys for a loopback
// simulator, nothing more).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const pairs = new Map<string, Promise<crypto.KeyPairKeyObjectResult>>();
const cacheDir = path.join(os.tmpdir(), 'azure-sim-keys-v1');

function fromCache(purpose: string): crypto.KeyPairKeyObjectResult | undefined {
  try {
    const privateKey = crypto.createPrivateKey(
      fs.readFileSync(path.join(cacheDir, `${purpose}.pem`)),
    );
    return { privateKey, publicKey: crypto.createPublicKey(privateKey) };
  } catch {
    return undefined;
  }
}

function toCache(purpose: string, pair: crypto.KeyPairKeyObjectResult): void {
  try {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(cacheDir, `${purpose}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    fs.renameSync(tmp, path.join(cacheDir, `${purpose}.pem`));
  } catch {
    // A read-only temp directory only costs the next process the generation time.
  }
}

export function rsaKeyPair(purpose: string): Promise<crypto.KeyPairKeyObjectResult> {
  let p = pairs.get(purpose);
  if (!p) {
    const cached = fromCache(purpose);
    p = cached
      ? Promise.resolve(cached)
      : new Promise((resolve, reject) =>
          crypto.generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) => {
            if (err) return reject(err);
            toCache(purpose, { publicKey, privateKey });
            resolve({ publicKey, privateKey });
          }),
        );
    pairs.set(purpose, p);
  }
  return p;
}
