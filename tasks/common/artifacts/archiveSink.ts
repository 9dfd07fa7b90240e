// Where archive bytes go. The writer asks for space and fills it in place, so a file's bytes are
// read from disk straight into an upload block: no buffer per read, no copy, nothing for the
// garbage collector.
import { createHash } from 'crypto';

export interface ArchiveSink {
  /** Free space at the current end of the archive; never empty. */
  space(): Promise<Buffer>;
  /** The first `n` bytes of the space last given now hold archive bytes. */
  filled(n: number): Promise<void>;
}

/** Appends bytes made elsewhere (headers, deflated data). */
export async function writeBytes(sink: ArchiveSink, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    const n = bytes.copy(await sink.space(), 0, offset);
    offset += n;
    await sink.filled(n);
  }
}

/** Keeps only the archive's sha256 and length: what a build would upload, without uploading it. */
export class DigestSink implements ArchiveSink {
  private readonly buffer = Buffer.allocUnsafe(1024 * 1024);
  private readonly hash = createHash('sha256');
  bytes = 0;

  space(): Promise<Buffer> {
    return Promise.resolve(this.buffer);
  }

  filled(n: number): Promise<void> {
    this.hash.update(this.buffer.subarray(0, n));
    this.bytes += n;
    return Promise.resolve();
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}
