// The content address of a folder: computed before anything is uploaded, so that a rerun with the same
// content finds its archive with one HEAD request and uploads nothing.
import { createHash } from 'crypto';
import * as fs from 'fs';
import { EntropySampler, SAMPLED_MIN_SIZE, shouldStore } from './compression';
import type { FolderEntry, ScannedFolder } from './folderScan';
import { DEFLATE_LEVEL } from './zipWriter';

/**
 * Part of every content hash, so an archive is never reused under a name that promised other bytes: bump
 * the version when the zip layout or entry metadata change. The deflate level is in it, and each file's
 * store-or-deflate decision is hashed with the file, so changing the compression rules renames by itself.
 */
export const ARCHIVE_FORMAT = `golden-image-artifacts/zip-v1/deflate-${DEFLATE_LEVEL}`;

export interface FileDigest {
  sha256: string;
  /** Store (zip method 0) rather than deflate. */
  store: boolean;
}

export interface FolderDigest {
  /** sha256 (hex) over the format, every entry's path and mode, every file's size, sha256 and compression. */
  hash: string;
  /** Per entry of the scan, same order; undefined for directories. */
  files: (FileDigest | undefined)[];
}

export interface HashProgress {
  files: number;
  bytes: number;
}

const READ_CHUNK = 1024 * 1024;
/** Files read at once: hides open/close latency of many small files; hashing itself is one thread. */
const PARALLEL_FILES = 4;

/** Reads into one reused buffer: allocating a buffer per read makes the collector the busiest part. */
async function digestFile(entry: FolderEntry, buffer: Buffer, signal: AbortSignal | undefined, onBytes: (n: number) => void): Promise<FileDigest> {
  const hash = createHash('sha256');
  const sampler = entry.size >= SAMPLED_MIN_SIZE ? new EntropySampler() : undefined;
  let read = 0;
  const file = await fs.promises.open(entry.source, 'r');
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      sampler?.add(chunk);
      read += bytesRead;
      onBytes(bytesRead);
    }
  } finally {
    await file.close();
  }
  if (read !== entry.size) throw new Error(`'${entry.path}' changed while the artifacts folder was being read (${entry.size} bytes listed, ${read} read); package a folder nothing writes to`);
  return { sha256: hash.digest('hex'), store: shouldStore(entry.path, entry.size, sampler) };
}

/** Reads every file once: its sha256 and whether it compresses. */
export async function digestFolder(scan: ScannedFolder, opts: { signal?: AbortSignal; onProgress?: (p: HashProgress) => void } = {}): Promise<FolderDigest> {
  const files: (FileDigest | undefined)[] = new Array(scan.entries.length);
  let next = 0;
  const progress = { files: 0, bytes: 0 };
  const worker = async () => {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    while (next < scan.entries.length) {
      const i = next++;
      const entry = scan.entries[i];
      if (entry.kind !== 'file') continue;
      files[i] = await digestFile(entry, buffer, opts.signal, (n) => {
        progress.bytes += n;
        opts.onProgress?.(progress);
      });
      progress.files++;
      opts.onProgress?.(progress);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_FILES }, worker));

  // NUL-separated: names may hold any other character, newlines included.
  const tree = createHash('sha256').update(`${ARCHIVE_FORMAT}\0`);
  scan.entries.forEach((e, i) => {
    tree.update(e.kind === 'file'
      ? `F\0${e.path}\0${e.mode.toString(8)}\0${e.size}\0${files[i]!.sha256}\0${files[i]!.store ? 'stored' : 'deflated'}\0`
      : `D\0${e.path}\0${e.mode.toString(8)}\0`);
  });
  return { hash: tree.digest('hex'), files };
}
