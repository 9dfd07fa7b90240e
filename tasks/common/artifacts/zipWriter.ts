// The zip archive of a scanned folder, written into an ArchiveSink one file at a time.
//
// Our own writer rather than a library's: yazl (used before, and still the tests' reference) reads
// each file through a stream that allocates a buffer per read and pipes it through four more
// streams; at 1 GB that was 60-odd full garbage collections and a third of the packaging time. Here
// a stored file's bytes are read from disk straight into the upload block, and only text goes
// through zlib. The layout is yazl's, byte for byte (the tests compare): UTF-8 names, Unix modes,
// CRC and sizes in a data descriptor after each file, ZIP64 records only where sizes or offsets
// need them.
import type { FileHandle } from 'fs/promises';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { ArchiveSink, writeBytes } from './archiveSink';
import type { FolderDigest } from './contentHash';
import { crc32 } from './crc32';
import type { FolderEntry, ScannedFolder } from './folderScan';
import { chunksOf } from './streamChunks';

/**
 * zlib level: level 6 deflates text ~2.5x slower for ~4% of its size; the upload is rarely that
 * slow.
 */
export const DEFLATE_LEVEL = 3;
/**
 * 2020-01-01 00:00:00 on every entry, so the same files always give the same archive bytes (and
 * sha256), whatever the checkout time; DOS time has no time zone, so the agent's does not matter
 * either.
 */
const DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
/**
 * Read size for large files that are deflated (stored ones are read a block's free space at a
 * time).
 */
const DEFLATE_READ = 1024 * 1024;
/** Files up to this size are read whole, ahead of their turn. */
const SMALL_FILE = 1024 * 1024;
const READ_BUFFER = SMALL_FILE + 1;
/** Small files loaded at once: the thread pool has four threads. */
const LOAD_CONCURRENCY = 4;
/** Bytes of small files held ready ahead of the writer. */
const LOAD_BUDGET = 16 * 1024 * 1024;

const VERSION_NEEDED = 20; // 2.0: deflate, directories
const VERSION_NEEDED_ZIP64 = 45;
const VERSION_MADE_BY = (3 << 8) | 63; // Unix, spec 6.3: the external attributes carry a Unix mode
const FLAG_DATA_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;
const STORE = 0;
const DEFLATE = 8;
/** Sizes and offsets above this go in ZIP64 fields (0xffffffff itself means "see ZIP64"). */
const MAX_32 = 0xfffffffe;

export interface ZipProgress {
  /** Files opened so far (the one being read included). */
  files: number;
  /** Bytes of file content read so far. */
  bytes: number;
}

export interface ZipOptions {
  signal?: AbortSignal;
  onProgress?: (p: ZipProgress) => void;
  /**
   * ZIP64 records on every entry and at the end, as over 4 GiB: lets a test check that path without
   * 4 GiB.
   */
  forceZip64?: boolean;
}

interface Entry {
  name: Buffer;
  mode: number;
  isFile: boolean;
  method: number;
  crc: number;
  size: number;
  compressedSize: number;
  offset: number;
}

/**
 * Writes the archive of `scan`. Each file's size and modification time are checked again when it is
 * opened, and exactly that many bytes must be there, so a file changed since hashing fails the
 * archive instead of storing bytes that do not match the content-addressed name.
 */
export async function writeZip(
  scan: ScannedFolder,
  digest: FolderDigest,
  sink: ArchiveSink,
  opts: ZipOptions = {},
): Promise<void> {
  const progress: ZipProgress = { files: 0, bytes: 0 };
  const onBytes = (n: number) => {
    progress.bytes += n;
    opts.onProgress?.(progress);
  };
  const force = !!opts.forceZip64;
  const entries: Entry[] = [];
  let offset = 0;
  const emit = async (bytes: Buffer) => {
    await writeBytes(sink, bytes);
    offset += bytes.length;
  };
  let deflateBuffer: Buffer | undefined;
  const small = new SmallFiles(scan, digest);

  try {
    for (const [i, item] of scan.entries.entries()) {
      opts.signal?.throwIfAborted();
      const isFile = item.kind === 'file';
      const store = !isFile || digest.files[i]!.store;
      const entry: Entry = {
        name: Buffer.from(isFile ? item.path : `${item.path}/`),
        mode: item.mode,
        isFile,
        method: store ? STORE : DEFLATE,
        crc: 0,
        size: 0,
        compressedSize: 0,
        offset,
      };
      entries.push(entry);
      await emit(localHeader(entry));
      if (!isFile) continue;

      entry.size = item.size;
      const loading = small.take(i);
      if (loading) {
        const loaded = await loading;
        progress.files++;
        entry.crc = loaded.crc;
        entry.compressedSize = loaded.data.length;
        await writeBytes(sink, loaded.data);
        small.written(loaded);
        onBytes(item.size);
      } else {
        const { file, changed } = await openUnchanged(item);
        try {
          progress.files++;
          opts.onProgress?.(progress);
          const read: FileRead = { file, size: item.size, changed, signal: opts.signal, onBytes };
          if (store) {
            entry.crc = await copyFile(read, sink);
            entry.compressedSize = item.size;
          } else {
            deflateBuffer ??= Buffer.allocUnsafe(DEFLATE_READ);
            Object.assign(entry, await deflateFile(read, sink, deflateBuffer));
          }
          // One byte more than listed means the file grew.
          if ((await file.read(Buffer.alloc(1), 0, 1, null)).bytesRead !== 0) throw changed;
        } finally {
          await file.close();
        }
      }
      offset += entry.compressedSize;
      await emit(dataDescriptor(entry, force));
    }
  } finally {
    small.stop();
  }

  const centralStart = offset;
  for (const entry of entries) await emit(centralRecord(entry, force));
  await emit(
    endOfCentralDirectory(entries.length, centralStart, offset - centralStart, offset, force),
  );
}

/**
 * Opens a listed file, refusing it when its size or modification time is no longer what was listed.
 */
async function openUnchanged(item: FolderEntry): Promise<{ file: FileHandle; changed: Error }> {
  const changed = new Error(
    `'${item.path}' changed while the artifacts folder was being packaged; package a ` +
      `folder nothing writes to`,
  );
  const file = await fs.promises.open(item.source, 'r');
  const stat = await file.stat().catch(async (err: unknown) => {
    await file.close();
    throw err;
  });
  if (stat.size !== item.size || stat.mtimeMs !== item.mtimeMs) {
    await file.close();
    throw changed;
  }
  return { file, changed };
}

interface SmallFile {
  crc: number;
  /** What goes into the archive: the file's bytes, or their deflated form. */
  data: Buffer;
  /** The read buffer `data` lies in (stored files), back to the pool once written. */
  buffer?: Buffer;
}

/**
 * Files up to SMALL_FILE bytes, loaded (read whole, CRC'd, deflated) ahead of the writer, in
 * archive order, as far ahead of the writer as LOAD_BUDGET bytes allow. A folder of many small
 * scripts costs per-file round trips to the thread pool (open, stat, read, deflate, close), not
 * bytes: one after the other, 1,000 files of 100 KB took 1.1 s and starved the upload. Loaded while
 * large files upload, they cost no time of their own.
 */
class SmallFiles {
  private readonly loading = new Map<number, Promise<SmallFile>>();
  private readonly pool: Buffer[] = [];
  private next = 0;
  private active = 0;
  /** Bytes of loaded files not yet written, plus a read buffer per load in progress. */
  private held = 0;
  private stopped = false;

  constructor(
    private readonly scan: ScannedFolder,
    private readonly digest: FolderDigest,
  ) {
    this.pump();
  }

  /** The loaded file of entry `index`, when it is a small file. */
  take(index: number): Promise<SmallFile> | undefined {
    const loading = this.loading.get(index);
    this.loading.delete(index);
    return loading;
  }

  written(file: SmallFile): void {
    this.held -= file.data.length;
    if (file.buffer) this.pool.push(file.buffer);
    this.pump();
  }

  /** No more files are opened (the archive failed or is complete). */
  stop(): void {
    this.stopped = true;
  }

  private pump(): void {
    while (
      !this.stopped &&
      this.active < LOAD_CONCURRENCY &&
      this.held < LOAD_BUDGET &&
      this.next < this.scan.entries.length
    ) {
      const i = this.next++;
      const item = this.scan.entries[i];
      if (item.kind !== 'file' || item.size > SMALL_FILE) continue;
      this.active++;
      this.held += READ_BUFFER;
      const loading = this.load(item, this.digest.files[i]!.store).finally(() => {
        this.active--;
        this.pump();
      });
      loading.catch(() => this.stop()); // awaited by take(), unless an earlier entry fails first
      this.loading.set(i, loading);
    }
  }

  private async load(item: FolderEntry, store: boolean): Promise<SmallFile> {
    const buffer = this.pool.pop() ?? Buffer.allocUnsafe(READ_BUFFER);
    const { file, changed } = await openUnchanged(item);
    try {
      // One byte more than the file, to see it has not grown.
      const { bytesRead } = await file.read(buffer, 0, item.size + 1, 0);
      if (bytesRead !== item.size) throw changed;
    } finally {
      await file.close();
    }
    const bytes = buffer.subarray(0, item.size);
    const crc = crc32(bytes, 0);
    if (store) {
      this.held += item.size - READ_BUFFER;
      return { crc, data: bytes, buffer };
    }
    // On this thread: under 5 ms for 1 MiB of text, and a zlib stream per file through the thread
    // pool cost half as much CPU again (set-up on this thread, then the round trip).
    const data = zlib.deflateRawSync(bytes, { level: DEFLATE_LEVEL });
    this.pool.push(buffer);
    this.held += data.length - READ_BUFFER;
    return { crc, data };
  }
}

/** One file's bytes as the writer reads them. */
export interface FileRead {
  file: FileHandle;
  /** Bytes to read: the size the listing saw. */
  size: number;
  /** Thrown when the file ends early (or, by the caller, when it grew). */
  changed: Error;
  signal: AbortSignal | undefined;
  /** Told of every read, for progress. */
  onBytes: (n: number) => void;
}

/** Reads the file straight into the sink's space; returns the CRC-32 of its bytes. */
export async function copyFile(
  { file, size, changed, signal, onBytes }: FileRead,
  sink: ArchiveSink,
): Promise<number> {
  let crc = 0;
  for (let left = size; left > 0;) {
    signal?.throwIfAborted();
    const space = await sink.space();
    const { bytesRead } = await file.read(space, 0, Math.min(space.length, left), null);
    if (bytesRead === 0) throw changed;
    crc = crc32(space.subarray(0, bytesRead), crc);
    left -= bytesRead;
    await sink.filled(bytesRead);
    onBytes(bytesRead);
  }
  return crc;
}

/** Deflates the file into the sink, reading through `buffer`; returns its CRC-32 and its size. */
async function deflateFile(
  { file, size, changed, signal, onBytes }: FileRead,
  sink: ArchiveSink,
  buffer: Buffer,
): Promise<Pick<Entry, 'crc' | 'compressedSize'>> {
  const deflate = zlib.createDeflateRaw({ level: DEFLATE_LEVEL, chunkSize: 64 * 1024 });
  let compressedSize = 0;
  const drain = async () => {
    for await (const chunk of chunksOf(deflate)) {
      compressedSize += chunk.length;
      await writeBytes(sink, chunk);
    }
  };
  const feed = async () => {
    let crc = 0;
    for (let left = size; left > 0;) {
      signal?.throwIfAborted();
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, left), null);
      if (bytesRead === 0) throw changed;
      const chunk = buffer.subarray(0, bytesRead);
      crc = crc32(chunk, crc);
      // The callback comes once zlib has taken all of the chunk in: only then may the buffer be
      // read into again.
      await new Promise<void>((resolve, reject) =>
        deflate.write(chunk, (err) => (err ? reject(err) : resolve())),
      );
      left -= bytesRead;
      onBytes(bytesRead);
    }
    deflate.end();
    return crc;
  };
  try {
    const [crc] = await Promise.all([feed(), drain()]);
    return { crc, compressedSize };
  } finally {
    deflate.destroy();
  }
}

const zip64 = (e: Entry, force: boolean) =>
  force || e.size > MAX_32 || e.compressedSize > MAX_32 || e.offset > MAX_32;

function localHeader(e: Entry): Buffer {
  const b = Buffer.alloc(30 + e.name.length);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(VERSION_NEEDED, 4);
  // Files: CRC and sizes follow the data. Directories have none, and no data descriptor either.
  b.writeUInt16LE(FLAG_UTF8 | (e.isFile ? FLAG_DATA_DESCRIPTOR : 0), 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(DOS_TIME, 10);
  b.writeUInt16LE(DOS_DATE, 12);
  // crc, compressed and uncompressed size (bytes 14-25) stay 0; no extra field (28)
  b.writeUInt16LE(e.name.length, 26);
  e.name.copy(b, 30);
  return b;
}

function dataDescriptor(e: Entry, force: boolean): Buffer {
  const wide = zip64(e, force);
  const b = Buffer.alloc(wide ? 24 : 16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(e.crc, 4);
  if (wide) {
    b.writeBigUInt64LE(BigInt(e.compressedSize), 8);
    b.writeBigUInt64LE(BigInt(e.size), 16);
  } else {
    b.writeUInt32LE(e.compressedSize, 8);
    b.writeUInt32LE(e.size, 12);
  }
  return b;
}

function centralRecord(e: Entry, force: boolean): Buffer {
  const wide = zip64(e, force);
  const extra = wide ? 28 : 0;
  const b = Buffer.alloc(46 + e.name.length + extra);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(VERSION_MADE_BY, 4);
  b.writeUInt16LE(wide ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED, 6);
  b.writeUInt16LE(FLAG_UTF8 | (e.isFile ? FLAG_DATA_DESCRIPTOR : 0), 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt16LE(DOS_TIME, 12);
  b.writeUInt16LE(DOS_DATE, 14);
  b.writeUInt32LE(e.crc, 16);
  b.writeUInt32LE(wide ? 0xffffffff : e.compressedSize, 20);
  b.writeUInt32LE(wide ? 0xffffffff : e.size, 24);
  b.writeUInt16LE(e.name.length, 28);
  b.writeUInt16LE(extra, 30);
  // comment length, disk number, internal attributes (32-37) stay 0
  b.writeUInt32LE((e.mode << 16) >>> 0, 38);
  b.writeUInt32LE(wide ? 0xffffffff : e.offset, 42);
  e.name.copy(b, 46);
  if (wide) {
    const at = 46 + e.name.length;
    b.writeUInt16LE(0x0001, at); // ZIP64 extended information
    b.writeUInt16LE(24, at + 2);
    b.writeBigUInt64LE(BigInt(e.size), at + 4);
    b.writeBigUInt64LE(BigInt(e.compressedSize), at + 12);
    b.writeBigUInt64LE(BigInt(e.offset), at + 20);
  }
  return b;
}

function endOfCentralDirectory(
  count: number,
  start: number,
  size: number,
  zip64RecordAt: number,
  force: boolean,
): Buffer {
  const wide = force || count >= 0xffff || size >= 0xffffffff || start >= 0xffffffff;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  // disk numbers (4-7) stay 0
  const shortCount = force || count >= 0xffff ? 0xffff : count;
  end.writeUInt16LE(shortCount, 8);
  end.writeUInt16LE(shortCount, 10);
  end.writeUInt32LE(force || size >= 0xffffffff ? 0xffffffff : size, 12);
  end.writeUInt32LE(force || start >= 0xffffffff ? 0xffffffff : start, 16);
  if (!wide) return end;

  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(BigInt(56 - 12), 4);
  record.writeUInt16LE(VERSION_MADE_BY, 12);
  record.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
  // disk numbers (16-23) stay 0
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(size), 40);
  record.writeBigUInt64LE(BigInt(start), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(zip64RecordAt), 8);
  locator.writeUInt32LE(1, 16); // total number of disks
  return Buffer.concat([record, locator, end]);
}
