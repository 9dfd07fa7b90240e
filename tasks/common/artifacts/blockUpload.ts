// A stream into a block blob: blocks staged in parallel, committed once at the end, so the blob appears
// whole or not at all. Memory is bounded by (concurrency + 1) blocks whatever the stream's length.
import { createHash, randomBytes } from 'crypto';
import type { BlockBlobClient } from '@azure/storage-blob';

export interface BlockUploadOptions {
  /** Bytes per staged block (the last one may be shorter, others up to one source chunk longer). */
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
  let failure: { error: unknown } | undefined;
  let stored = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;

  const check = () => {
    if (failure) throw failure.error;
    inner.signal.throwIfAborted();
  };
  const takePending = () => {
    const block = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return block;
  };
  const stage = async (block: Buffer) => {
    while (inFlight.size >= o.concurrency) await Promise.race(inFlight);
    check();
    // Block ids of one blob must all have the same length.
    const id = Buffer.from(`${uploadId}-${String(ids.length).padStart(6, '0')}`).toString('base64');
    ids.push(id);
    const done: Promise<void> = blob.stageBlock(id, block, block.length, { abortSignal: inner.signal }).then(
      () => {
        stored += block.length;
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
    for await (const chunk of source) {
      check();
      hash.update(chunk);
      total += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= o.blockSize) await stage(takePending());
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
      const body = takePending();
      await blob.upload(body, body.length, options);
      o.onStored?.(body.length);
      return { bytes: total, sha256, blocks: 0 };
    }
    if (pendingBytes > 0) await stage(takePending());
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
