// The zip archive as a stream, one file open at a time.
//
// Library: yazl (thejoshwolfe/yazl, 3.x). It writes to a readable `outputStream` with backpressure, takes
// entries lazily (`addReadStreamLazy` opens a file only when its turn comes), chooses store or deflate and
// the deflate level per entry, sets the UTF-8 name flag (general purpose bit 11) on every entry, refuses
// absolute paths and `..`, writes ZIP64 only when sizes need it, and depends on one small package.
// archiver was the other candidate: its current major is ESM-only (this project is CommonJS) and it brings
// glob, async and tar dependencies that a zip writer does not need.
import * as fs from 'fs';
import { addAbortSignal, Readable } from 'stream';
import { ZipFile } from 'yazl';
import type { FolderDigest } from './contentHash';
import { useNativeCrc32 } from './fastCrc32';
import type { ScannedFolder } from './folderScan';

/**
 * Every entry gets this time, so the same files always give the same archive bytes (and sha256), whatever
 * the checkout time. Built from local fields and written in DOS format only, because DOS times are local
 * time: the bytes then do not depend on the agent's time zone either.
 */
const ENTRY_TIME = new Date(2020, 0, 1, 0, 0, 0);
/** zlib level: level 6 deflates text ~2.5x slower for ~4% of its size; the upload is rarely that slow. */
export const DEFLATE_LEVEL = 3;
/** Read size: 1 MiB, or the file's size down to 64 KiB (each read allocates a buffer this big). */
const readChunk = (size: number) => Math.min(1024 * 1024, Math.max(64 * 1024, size));

export interface ZipProgress {
  /** Files opened so far (the one being read included). */
  files: number;
  /** Bytes of file content read so far. */
  bytes: number;
}

/**
 * Streams the archive of `scan`. Each file's size and modification time are checked again when it is
 * opened, and yazl checks the byte count, so a file changed since hashing fails the stream instead of
 * storing bytes that do not match the content-addressed name.
 */
export function zipFolder(scan: ScannedFolder, digest: FolderDigest, opts: { signal?: AbortSignal; onProgress?: (p: ZipProgress) => void } = {}): Readable {
  useNativeCrc32();
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  const progress: ZipProgress = { files: 0, bytes: 0 };
  let current: fs.ReadStream | undefined;
  const fail = (err: Error) => output.destroy(err);
  zip.on('error', fail);
  // Whoever stops reading (an error, an abort, a finished upload) closes the file being read.
  output.once('close', () => current?.destroy());

  scan.entries.forEach((entry, i) => {
    if (entry.kind === 'dir') {
      zip.addEmptyDirectory(entry.path, { mtime: ENTRY_TIME, mode: entry.mode, forceDosTimestamp: true });
      return;
    }
    const options = { mtime: ENTRY_TIME, mode: entry.mode, forceDosTimestamp: true, size: entry.size, compressionLevel: digest.files[i]!.store ? 0 : DEFLATE_LEVEL };
    zip.addReadStreamLazy(entry.path, options, (cb) => {
      fs.stat(entry.source, (err, stat) => {
        if (err) {
          fail(err);
          return;
        }
        if (stat.size !== entry.size || stat.mtimeMs !== entry.mtimeMs) {
          fail(new Error(`'${entry.path}' changed while the artifacts folder was being packaged; package a folder nothing writes to`));
          return;
        }
        const file = fs.createReadStream(entry.source, { highWaterMark: readChunk(entry.size) });
        current = file;
        progress.files++;
        file.on('error', fail); // yazl does not listen to errors of streams it is given
        cb(null, file);
        // After yazl has piped it: a data listener added earlier could start the flow before the pipe.
        file.on('data', (chunk) => {
          progress.bytes += chunk.length;
          opts.onProgress?.(progress);
        });
      });
    });
  });
  zip.end();
  return opts.signal ? addAbortSignal(opts.signal, output) : output;
}
