// An archive written straight into a block blob: blocks staged in parallel as they fill, committed
// once at the end, so the blob appears whole or not at all. Memory is bounded by (concurrency + 1)
// blocks whatever the archive's length.
import { createHash, randomBytes } from 'crypto';
import type { BlockBlobClient } from '@azure/storage-blob';
import type { ArchiveSink } from './archiveSink';

export interface BlockUploadOptions {
  /** Bytes per staged block (the last one may be shorter). */
  blockSize: number;
  /** Blocks in flight at once. */
  concurrency: number;
  signal?: AbortSignal;
  /** Blob metadata; `sha256` (hex of the uploaded bytes) is added to it. */
  metadata: Record<string, string>;
  contentType: string;
  /** Called as blocks are acknowledged, with the bytes stored so far. */
  onStored?: (bytes: number) => void;
}

export interface BlockUploadResult {
  bytes: number;
  sha256: string;
  /** 0 when everything fitted in one block and went as a single Put Blob. */
  blocks: number;
}

export class BlockUpload implements ArchiveSink {
  // One controller for everything in flight: the caller's abort or the first failed block stops the
  // rest.
  private readonly inner = new AbortController();
  private readonly onAbort = () => this.inner.abort(this.o.signal!.reason);
  private readonly hash = createHash('sha256');
  // Ids unique to this upload: a concurrent or abandoned upload to the same name cannot mix its
  // blocks in.
  private readonly uploadId = randomBytes(6).toString('hex');
  private readonly ids: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  // Block buffers are reused once their block is stored: at most concurrency + 1 exist. A buffer
  // per block would have the garbage collector run all the time (large external buffers trigger
  // full collections).
  private readonly free: Buffer[] = [];
  private allocated = 0;
  private block: Buffer | undefined;
  private fill = 0;
  private total = 0;
  private stored = 0;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly blob: BlockBlobClient,
    private readonly o: BlockUploadOptions,
  ) {
    if (o.signal?.aborted) this.onAbort();
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  async space(): Promise<Buffer> {
    this.check();
    this.block ??= await this.nextBuffer();
    return this.block.subarray(this.fill);
  }

  async filled(n: number): Promise<void> {
    this.fill += n;
    this.total += n;
    if (this.fill < this.o.blockSize) return;
    await this.stage(this.block!, this.fill);
    this.block = undefined;
    this.fill = 0;
  }

  /**
   * Stages what is left and commits the block list; on any failure, stops what is in flight first.
   */
  async finish(): Promise<BlockUploadResult> {
    try {
      this.check();
      if (this.ids.length === 0) {
        // Fits in one block: one Put Blob instead of Put Block + Put Block List.
        const body = (this.block ?? Buffer.alloc(0)).subarray(0, this.fill);
        const sha256 = this.hash.update(body).digest('hex');
        await this.blob.upload(body, body.length, this.commitOptions(sha256));
        this.o.onStored?.(body.length);
        return { bytes: this.total, sha256, blocks: 0 };
      }
      if (this.fill > 0) await this.stage(this.block!, this.fill);
      await Promise.all(this.inFlight);
      this.check();
      const sha256 = this.hash.digest('hex');
      await this.blob.commitBlockList(this.ids, this.commitOptions(sha256));
      return { bytes: this.total, sha256, blocks: this.ids.length };
    } catch (err) {
      throw await this.abandon(err);
    } finally {
      this.o.signal?.removeEventListener('abort', this.onAbort);
    }
  }

  /** Stops every block in flight and waits for them to settle; returns the error to raise. */
  async abandon(err: unknown): Promise<unknown> {
    if (!this.inner.signal.aborted) this.inner.abort(err);
    await Promise.allSettled(this.inFlight);
    this.o.signal?.removeEventListener('abort', this.onAbort);
    return this.o.signal?.aborted ? this.o.signal.reason : err;
  }

  private commitOptions(sha256: string) {
    return {
      metadata: { ...this.o.metadata, sha256 },
      blobHTTPHeaders: { blobContentType: this.o.contentType },
      abortSignal: this.inner.signal,
    };
  }

  private check(): void {
    if (this.failure) throw this.failure.error;
    this.inner.signal.throwIfAborted();
  }

  private async nextBuffer(): Promise<Buffer> {
    // Every buffer is free, being filled or in flight; a failed block keeps its buffer, and check()
    // ends the wait.
    while (this.free.length === 0 && this.allocated > this.o.concurrency) {
      await Promise.race(this.inFlight);
      this.check();
    }
    if (this.free.length > 0) return this.free.pop()!;
    this.allocated++;
    return Buffer.allocUnsafe(this.o.blockSize);
  }

  private async stage(buffer: Buffer, length: number): Promise<void> {
    while (this.inFlight.size >= this.o.concurrency) await Promise.race(this.inFlight);
    this.check();
    const body = buffer.subarray(0, length);
    this.hash.update(body); // blocks are staged in archive order
    // Block ids of one blob must all have the same length.
    const id = Buffer.from(`${this.uploadId}-${String(this.ids.length).padStart(6, '0')}`).toString(
      'base64',
    );
    this.ids.push(id);
    const done: Promise<void> = this.blob
      .stageBlock(id, body, length, { abortSignal: this.inner.signal })
      .then(
        () => {
          this.free.push(buffer);
          this.stored += length;
          this.o.onStored?.(this.stored);
        },
        (error: unknown) => {
          this.failure ??= { error };
          this.inner.abort(error);
        },
      )
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}
