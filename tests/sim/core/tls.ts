// Certificates made at start: a CA the clients trust (caCertPath), the loopback server certificate
// it signs, and self-signed client certificates for principals that authenticate with a
// certificate.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import forge from 'node-forge';
import { rsaKeyPair } from './keys';

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
  /** DER of the certificate, for thumbprints. */
  certDer: Buffer;
}

export interface SimCertificates {
  ca: KeyAndCert;
  server: KeyAndCert;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
}

function pems(pair: crypto.KeyPairKeyObjectResult): { privatePem: string; publicPem: string } {
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function serial(): string {
  // Positive serial: first hex digit below 8.
  return '1' + crypto.randomBytes(15).toString('hex');
}

function makeCert(opts: {
  key: crypto.KeyPairKeyObjectResult;
  commonName: string;
  issuer?: { cert: forge.pki.Certificate; keyPem: string };
  isCa?: boolean;
  altNames?: Array<{ type: number; value?: string; ip?: string }>;
  clientAuth?: boolean;
}): KeyAndCert & { forgeCert: forge.pki.Certificate } {
  const key = pems(opts.key);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000);
  const subject = [
    { name: 'commonName', value: opts.commonName },
    { name: 'organizationName', value: 'Azure simulator' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.cert.subject.attributes : subject);
  const extensions: any[] = [{ name: 'basicConstraints', cA: !!opts.isCa, critical: !!opts.isCa }];
  if (opts.isCa) {
    extensions.push({
      name: 'keyUsage',
      keyCertSign: true,
      cRLSign: true,
      digitalSignature: true,
      critical: true,
    });
  } else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true });
    extensions.push({
      name: 'extKeyUsage',
      serverAuth: !opts.clientAuth,
      clientAuth: !!opts.clientAuth,
    });
  }
  if (opts.altNames) extensions.push({ name: 'subjectAltName', altNames: opts.altNames });
  extensions.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(extensions);
  const signingKey = forge.pki.privateKeyFromPem(opts.issuer ? opts.issuer.keyPem : key.privatePem);
  cert.sign(signingKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const certDer = Buffer.from(
    forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(),
    'binary',
  );
  return { keyPem: key.privatePem, certPem, certDer, forgeCert: cert };
}

// Simulators started in one process (tests) share their certificates (see keys.ts).
let processCertificates: { ca: KeyAndCert; server: KeyAndCert } | undefined;
const processClientCertificates = new Map<string, KeyAndCert>();

/** The CA and the server certificate (SAN IP:127.0.0.1, DNS:localhost), written to `dir`. */
export async function makeSimCertificates(dir: string): Promise<SimCertificates> {
  if (!processCertificates) {
    const [caKey, serverKey] = await Promise.all([rsaKeyPair('tls-ca'), rsaKeyPair('tls-server')]);
    const caCert = makeCert({ key: caKey, commonName: 'Azure simulator test CA', isCa: true });
    const serverCert = makeCert({
      key: serverKey,
      commonName: '127.0.0.1',
      issuer: { cert: caCert.forgeCert, keyPem: caCert.keyPem },
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    });
    processCertificates = {
      ca: { keyPem: caCert.keyPem, certPem: caCert.certPem, certDer: caCert.certDer },
      server: {
        keyPem: serverCert.keyPem,
        certPem: serverCert.certPem,
        certDer: serverCert.certDer,
      },
    };
  }
  const { ca, server } = processCertificates;
  const caCertPath = path.join(dir, 'ca.pem');
  const serverCertPath = path.join(dir, 'server.pem');
  const serverKeyPath = path.join(dir, 'server-key.pem');
  fs.writeFileSync(caCertPath, ca.certPem);
  // The chain lets clients that only trust the CA verify the leaf.
  fs.writeFileSync(serverCertPath, server.certPem + ca.certPem);
  fs.writeFileSync(serverKeyPath, server.keyPem, { mode: 0o600 });
  return {
    ca,
    server,
    caCertPath,
    serverCertPath,
    serverKeyPath,
  };
}

/**
 * A self-signed client certificate, as one makes for an app registration (one per name and
 * process).
 */
export async function makeClientCertificate(commonName: string): Promise<KeyAndCert> {
  let c = processClientCertificates.get(commonName);
  if (!c) {
    const made = makeCert({
      key: await rsaKeyPair(`client-${commonName}`),
      commonName,
      clientAuth: true,
    });
    c = { keyPem: made.keyPem, certPem: made.certPem, certDer: made.certDer };
    processClientCertificates.set(commonName, c);
  }
  return c;
}

/** Certificates found in a PEM bundle, as DER. */
export function certificatesInPem(pem: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(pem))) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return out;
}

export function thumbprints(certDer: Buffer): { sha1: Buffer; sha256: Buffer } {
  return {
    sha1: crypto.createHash('sha1').update(certDer).digest(),
    sha256: crypto.createHash('sha256').update(certDer).digest(),
  };
}
