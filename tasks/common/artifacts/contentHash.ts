// The content address of a folder: computed before anything is uploaded, so that a rerun with the
// same content finds its archive with one HEAD request and uploads nothing.
import { createHash } from 'crypto';
import { abortReason } from '../core/errors';
import { bitsPerByte, shouldStore } from './compression';
import type { ScannedFolder } from './folderScan';
import { HashWorkers } from './hashWorkers';
import { DEFLATE_LEVEL } from './zipWriter';

/**
 * Part of every content hash, so an archive is never reused under a name that promised other bytes:
 * bump the version when the zip layout or entry metadata change. The deflate level is in it, and
 * each file's store-or-deflate decision is hashed with the file, so changing the compression rules
 * renames by itself.
 */
const ARCHIVE_FORMAT = `golden-image-artifacts/zip-v1/deflate-${DEFLATE_LEVEL}`;

export interface FileDigest {
  sha256: string;
  /** Store (zip method 0) rather than deflate. */
  store: boolean;
}

export interface FolderDigest {
  /**
   * sha256 (hex) over the format, every entry's path and mode, every file's size, sha256 and
   * compression.
   */
  hash: string;
  /** Per entry of the scan, same order; undefined for directories. */
  files: (FileDigest | undefined)[];
}

export interface HashProgress {
  files: number;
  bytes: number;
}

/** Reads every file once, on worker threads: its sha256 and whether it compresses. */
export async function digestFolder(
  scan: ScannedFolder,
  opts: { signal?: AbortSignal; onProgress?: (p: HashProgress) => void } = {},
): Promise<FolderDigest> {
  opts.signal?.throwIfAborted();
  const files = new Array<FileDigest | undefined>(scan.entries.length);
  const progress = { files: 0, bytes: 0 };
  const onBytes = (n: number) => {
    progress.bytes += n;
    opts.onProgress?.(progress);
  };
  const workers = new HashWorkers();
  const onAbort = () => void workers.stop(abortReason(opts.signal!));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  const feed = async () => {
    while (next < scan.entries.length) {
      const i = next++;
      const entry = scan.entries[i];
      if (entry.kind !== 'file') continue;
      const hashed = await workers.hash(entry.source, entry.size, onBytes);
      if (hashed.read !== entry.size)
        throw new Error(
          `'${entry.path}' changed while the artifacts folder was being read ` +
            `(${entry.size} bytes listed, ${hashed.read} read); package a folder nothing ` +
            `writes to`,
        );
      files[i] = {
        sha256: hashed.sha256,
        store: shouldStore(
          entry.path,
          entry.size,
          hashed.histogram && bitsPerByte(hashed.histogram),
        ),
      };
      progress.files++;
      opts.onProgress?.(progress);
    }
  };
  try {
    await Promise.all(Array.from({ length: workers.capacity }, feed));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await workers.stop(new Error('The content hash is done.'));
  }

  // NUL-separated: names may hold any other character, newlines included.
  const tree = createHash('sha256').update(`${ARCHIVE_FORMAT}\0`);
  scan.entries.forEach((e, i) => {
    tree.update(
      e.kind === 'file'
        ? `F\0${e.path}\0${e.mode.toString(8)}\0${e.size}\0${files[i]!.sha256}\0` +
            `${files[i]!.store ? 'stored' : 'deflated'}\0`
        : `D\0${e.path}\0${e.mode.toString(8)}\0`,
    );
  });
  return { hash: tree.digest('hex'), files };
}
