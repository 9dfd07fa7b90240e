import * as assert from 'assert';
import { createHash } from 'crypto';
import type { BlockBlobClient } from '@azure/storage-blob';
import { writeBytes } from '../../../tasks/common/artifacts/archiveSink';
import { BlockUpload, BlockUploadOptions } from '../../../tasks/common/artifacts/blockUpload';

/** A block blob that records calls and lets the test decide when each staged block settles. */
function fakeBlob(opts: { failOn?: number } = {}) {
  const calls = {
    staged: [] as { id: string; length: number }[],
    bytes: [] as Buffer[],
    committed: [] as string[][],
    puts: 0,
    maxInFlight: 0,
  };
  let inFlight = 0;
  const blob = {
    async stageBlock(id: string, body: Buffer, length: number) {
      calls.staged.push({ id, length });
      const n = calls.staged.length;
      inFlight++;
      calls.maxInFlight = Math.max(calls.maxInFlight, inFlight);
      const sent = Buffer.from(body);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      assert.strictEqual(body.length, length);
      // Block buffers are reused: one must not be written into while its block is on the way.
      assert.ok(body.equals(sent), `block ${n} changed while in flight`);
      calls.bytes.push(sent);
      if (n === opts.failOn) throw Object.assign(new Error('ServerBusy'), { statusCode: 503 });
    },
    commitBlockList(ids: string[]) {
      calls.committed.push(ids);
      return Promise.resolve();
    },
    upload() {
      calls.puts++;
      return Promise.resolve();
    },
  };
  return { blob: blob as unknown as BlockBlobClient, calls };
}

/**
 * `count` chunks of `size` bytes written into an upload, then committed: as the zip writer does.
 */
async function uploadChunks(
  count: number,
  size: number,
  blob: BlockBlobClient,
  o: BlockUploadOptions,
) {
  const upload = new BlockUpload(blob, o);
  try {
    for (let i = 0; i < count; i++) await writeBytes(upload, Buffer.alloc(size, i));
  } catch (err) {
    throw await upload.abandon(err);
  }
  return upload.finish();
}

const options = { blockSize: 1000, concurrency: 3, metadata: {}, contentType: 'application/zip' };

describe('artifacts: block uploader', () => {
  it('cuts exact blocks, at most `concurrency` in flight, commits them in order', async () => {
    const { blob, calls } = fakeBlob();
    const result = await uploadChunks(25, 333, blob, options);
    assert.strictEqual(result.bytes, 25 * 333);
    assert.strictEqual(result.blocks, 9);
    assert.deepStrictEqual(
      calls.staged.map((s) => s.length),
      [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 325],
    );
    assert.ok(
      calls.maxInFlight <= 3 && calls.maxInFlight > 1,
      `max in flight ${calls.maxInFlight}`,
    );
    assert.deepStrictEqual(calls.committed, [calls.staged.map((s) => s.id)]);
    assert.strictEqual(
      new Set(calls.staged.map((s) => Buffer.from(s.id, 'base64').length)).size,
      1,
      'ids of one length',
    );
    const written = Buffer.concat(Array.from({ length: 25 }, (_, i) => Buffer.alloc(333, i)));
    assert.ok(
      Buffer.concat(calls.bytes).equals(written),
      'the blocks hold the bytes written, in order',
    );
    assert.strictEqual(result.sha256, createHash('sha256').update(written).digest('hex'));
  });

  it('sends what fits in one block as a single Put Blob', async () => {
    const { blob, calls } = fakeBlob();
    const result = await uploadChunks(2, 100, blob, options);
    assert.deepStrictEqual(
      [result.blocks, calls.puts, calls.staged.length, calls.committed.length],
      [0, 1, 0, 0],
    );
  });

  it('stops at the first failed block and commits nothing', async () => {
    const { blob, calls } = fakeBlob({ failOn: 4 });
    await assert.rejects(uploadChunks(100, 500, blob, options), /ServerBusy/);
    assert.deepStrictEqual(calls.committed, []);
    assert.ok(calls.staged.length < 50, `${calls.staged.length} blocks staged before stopping`);
  });

  it('stops when every block fails, with one block in flight at a time', async () => {
    const { blob } = fakeBlob({ failOn: 1 });
    await assert.rejects(
      uploadChunks(100, 500, blob, { ...options, concurrency: 1 }),
      /ServerBusy/,
    );
  });
});
