// Shared by the artifacts tests: a simulator with one storage account, clients that reach it with a
// bearer token (as the task does), temporary folders, and a reader for the zip's central directory.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BlobServiceClient, StoragePipelineOptions } from '@azure/storage-blob';
import { RunningSim, SIM_IDS, startSimulator, trustingStorageHttpClient } from '../../sim';
import { spCredential } from '../../sim/testSupport';

export const ACCOUNT = 'artifactsacct';

export async function simWithStorage(): Promise<RunningSim> {
  const rg = `/subscriptions/${SIM_IDS.subscriptionId}/resourceGroups/rg`;
  return startSimulator({
    scenario: {
      resources: [
        { id: rg, type: 'Microsoft.Resources/resourceGroups', name: 'rg', location: 'westeurope' },
        {
          id: `${rg}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`,
          type: 'Microsoft.Storage/storageAccounts',
          name: ACCOUNT,
          location: 'westeurope',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
        },
      ],
    },
  });
}

export function storageOptions(sim: RunningSim): StoragePipelineOptions {
  return {
    httpClient: trustingStorageHttpClient(fs.readFileSync(sim.info.caCertPath, 'utf8')),
    retryOptions: { maxTries: 1 },
  };
}

/** The account as the task sees it: a service principal's token, no key. */
export function blobService(sim: RunningSim): BlobServiceClient {
  return new BlobServiceClient(
    sim.info.blobEndpointTemplate.replace('{account}', ACCOUNT),
    spCredential(sim.info),
    storageOptions(sim),
  );
}

/** A client with no credential: for URLs that carry a SAS. */
export function anonymousService(sim: RunningSim, sasQuery: string): BlobServiceClient {
  return new BlobServiceClient(
    `${sim.info.blobEndpointTemplate.replace('{account}', ACCOUNT)}?${sasQuery}`,
    undefined,
    storageOptions(sim),
  );
}

export function tempDir(prefix = 'artifacts-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `files` (relative path -> content) under `root`, making folders as needed. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/** Bytes no compressor can shrink, reproducible from a seed (an AES-CTR keystream). */
export function randomBytes(size: number, seed = 'seed'): Buffer {
  const key = crypto.createHash('sha256').update(seed).digest().subarray(0, 16);
  return crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

export interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  /** Unix mode from the external attributes. */
  mode: number;
  compressedSize: number;
  size: number;
}

/**
 * The central directory, read by hand: what the archive says about each entry, independent of the
 * writer.
 */
export function centralDirectory(zip: Buffer): CentralEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no end of central directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory record ${i}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      mode: zip.readUInt32LE(at + 38) >>> 16,
      name: zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
