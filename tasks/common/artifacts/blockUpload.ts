// A stream into a block blob: blocks staged in parallel, committed once at the end, so the blob appears
// whole or not at all. Memory is bounded by (concurrency + 1) blocks whatever the stream's length.
import { createHash, randomBytes } from 'crypto';
import type { BlockBlobClient } from '@azure/storage-blob';

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
  /** 0 when the stream fitted in one block and went as a single Put Blob. */
  blocks: number;
}

export async function uploadAsBlocks(source: AsyncIterable<Buffer>, blob: BlockBlobClient, o: BlockUploadOptions): Promise<BlockUploadResult> {
  // One controller for everything in flight: the caller's abort or the first failed block stops the rest.
  const inner = new AbortController();
  const onAbort = () => inner.abort(o.signal!.reason);
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const hash = createHash('sha256');
  // Ids unique to this upload: a concurrent or abandoned upload to the same name cannot mix its blocks in.
  const uploadId = randomBytes(6).toString('hex');
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  // Block buffers are reused once their block is stored: at most concurrency + 1 exist. Allocating one per
  // block would have the garbage collector run all the time (large external buffers trigger full collections).
  const free: Buffer[] = [];
  let allocated = 0;
  let failure: { error: unknown } | undefined;
  let stored = 0;
  let total = 0;

  const check = () => {
    if (failure) throw failure.error;
    inner.signal.throwIfAborted();
  };
  const nextBuffer = async (): Promise<Buffer> => {
    // Every buffer is free, being filled or in flight; a failed block keeps its buffer, and check() ends the wait.
    while (free.length === 0 && allocated > o.concurrency) {
      await Promise.race(inFlight);
      check();
    }
    check();
    if (free.length > 0) return free.pop()!;
    allocated++;
    return Buffer.allocUnsafe(o.blockSize);
  };
  const stage = async (buffer: Buffer, length: number) => {
    while (inFlight.size >= o.concurrency) await Promise.race(inFlight);
    check();
    // Block ids of one blob must all have the same length.
    const id = Buffer.from(`${uploadId}-${String(ids.length).padStart(6, '0')}`).toString('base64');
    ids.push(id);
    const done: Promise<void> = blob.stageBlock(id, buffer.subarray(0, length), length, { abortSignal: inner.signal }).then(
      () => {
        free.push(buffer);
        stored += length;
        o.onStored?.(stored);
      },
      (error: unknown) => {
        failure ??= { error };
        inner.abort(error);
      },
    ).finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  try {
    let block = await nextBuffer();
    let fill = 0;
    for await (const chunk of source) {
      check();
      hash.update(chunk);
      total += chunk.length;
      for (let offset = 0; offset < chunk.length;) {
        const copied = chunk.copy(block, fill, offset);
        fill += copied;
        offset += copied;
        if (fill === o.blockSize) {
          await stage(block, fill);
          block = await nextBuffer();
          fill = 0;
        }
      }
    }
    check();
    const sha256 = hash.digest('hex');
    const options = {
      metadata: { ...o.metadata, sha256 },
      blobHTTPHeaders: { blobContentType: o.contentType },
      abortSignal: inner.signal,
    };
    if (ids.length === 0) {
      // Fits in one block: one Put Blob instead of Put Block + Put Block List.
      await blob.upload(block.subarray(0, fill), fill, options);
      o.onStored?.(fill);
      return { bytes: total, sha256, blocks: 0 };
    }
    if (fill > 0) await stage(block, fill);
    await Promise.all(inFlight);
    check();
    await blob.commitBlockList(ids, options);
    return { bytes: total, sha256, blocks: ids.length };
  } catch (err) {
    if (!inner.signal.aborted) inner.abort(err);
    await Promise.allSettled(inFlight);
    throw o.signal?.aborted ? o.signal.reason : err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}
