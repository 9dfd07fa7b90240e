// The build-artifacts folder as a content-addressed zip blob: hash first (one read of every file),
// HEAD the name, and only when it is missing zip the folder straight into staged blocks (a second
// read). No temporary file, no whole-archive buffer: stored files are read from disk into the
// upload blocks themselves.
import type { ContainerClient } from '@azure/storage-blob';
import { BlockUpload } from './blockUpload';
import { ensurePrivateContainer } from './container';
import { digestFolder } from './contentHash';
import { scanFolder } from './folderScan';
import { writeZip } from './zipWriter';

export interface PackageProgress {
  phase: 'hashing' | 'uploading';
  /** Files read in this phase so far (while uploading: the one being zipped included). */
  files: number;
  totalFiles: number;
  /** Bytes of file content read in this phase so far. */
  bytes: number;
  totalBytes: number;
  /** Archive bytes acknowledged by the storage service (uploading only). */
  storedBytes: number;
}

export interface PackageOptions {
  /** Where the archive goes; created private when missing, refused when public. */
  container: ContainerClient;
  /** The task input the folder came from, named in every error about it. */
  inputName?: string;
  /** Virtual folder in the container. */
  prefix?: string;
  /** Bytes per staged block (default 8 MiB). */
  blockSize?: number;
  /** Blocks in flight (default 4). */
  concurrency?: number;
  /** Aborting stops reading and uploading; nothing is committed, so no blob appears. */
  signal?: AbortSignal;
  onProgress?: (p: PackageProgress) => void;
}

export interface PackagedFolder {
  /** `<prefix><folder>-<first 20 hex of the content hash>.zip` */
  blobName: string;
  /** The blob's URL, without any SAS. */
  url: string;
  /** sha256 (hex) of the archive's bytes: AIB's File customiser `sha256Checksum`. */
  sha256: string;
  /** Archive size in bytes. */
  bytes: number;
  /** Files in the archive. */
  files: number;
  /** Bytes of file content before compression. */
  contentBytes: number;
  /** Full content hash the name was cut from. */
  contentHash: string;
  /** False when an archive of the same content was already there. */
  uploaded: boolean;
}

export const DEFAULT_PREFIX = 'artifacts/';
export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;
const NAME_HASH_CHARS = 20;

/** The folder name as a readable, URL-safe part of the blob name. */
function namePart(folderName: string): string {
  const cleaned = folderName
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 64);
  return cleaned || 'artifacts';
}

export function artifactBlobName(
  folderName: string,
  contentHash: string,
  prefix = DEFAULT_PREFIX,
): string {
  return `${prefix}${namePart(folderName)}-${contentHash.slice(0, NAME_HASH_CHARS)}.zip`;
}

export async function packageFolder(
  folder: string,
  options: PackageOptions,
): Promise<PackagedFolder> {
  try {
    return await packageOnce(folder, options);
  } catch (err) {
    // Streams and the SDK each raise their own AbortError; the caller gets the reason it aborted
    // with.
    throw options.signal?.aborted ? options.signal.reason : err;
  }
}

async function packageOnce(folder: string, options: PackageOptions): Promise<PackagedFolder> {
  const { container, signal, onProgress } = options;
  const scan = await scanFolder(folder, options.inputName ?? 'packagePath');
  const totals = { totalFiles: scan.files, totalBytes: scan.bytes };
  const digest = await digestFolder(scan, {
    signal,
    onProgress: (p) => onProgress?.({ phase: 'hashing', ...p, ...totals, storedBytes: 0 }),
  });
  const blobName = artifactBlobName(scan.name, digest.hash, options.prefix);
  const blob = container.getBlockBlobClient(blobName);
  const summary = {
    blobName,
    url: blob.url,
    files: scan.files,
    contentBytes: scan.bytes,
    contentHash: digest.hash,
  };

  await ensurePrivateContainer(container, signal);
  const existing = await blob
    .getProperties({ abortSignal: signal })
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode === 404) return undefined;
      throw err;
    });
  // Trusted only with the metadata this function writes at commit: a blob someone else put under
  // the name is replaced.
  if (existing?.metadata?.contenthash === digest.hash && existing.metadata.sha256) {
    return {
      ...summary,
      sha256: existing.metadata.sha256,
      bytes: existing.contentLength ?? 0,
      uploaded: false,
    };
  }

  let zipped = { files: 0, bytes: 0 };
  let storedBytes = 0;
  const report = () => onProgress?.({ phase: 'uploading', ...zipped, ...totals, storedBytes });
  const upload = new BlockUpload(blob, {
    blockSize: options.blockSize ?? DEFAULT_BLOCK_SIZE,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    signal,
    metadata: {
      contenthash: digest.hash,
      files: String(scan.files),
      contentbytes: String(scan.bytes),
    },
    contentType: 'application/zip',
    onStored: (n) => {
      storedBytes = n;
      report();
    },
  });
  try {
    await writeZip(scan, digest, upload, {
      signal,
      onProgress: (p) => {
        zipped = p;
        report();
      },
    });
  } catch (err) {
    throw await upload.abandon(err);
  }
  const result = await upload.finish();
  return { ...summary, sha256: result.sha256, bytes: result.bytes, uploaded: true };
}
