import * as assert from 'assert';
import type { BlockBlobClient } from '@azure/storage-blob';
import { uploadAsBlocks } from '../../../tasks/common/artifacts/blockUpload';

/** A block blob that records calls and lets the test decide when each staged block settles. */
function fakeBlob(opts: { failOn?: number } = {}) {
  const calls = { staged: [] as { id: string; length: number }[], committed: [] as string[][], puts: 0, maxInFlight: 0 };
  let inFlight = 0;
  const blob = {
    async stageBlock(id: string, body: Buffer, length: number) {
      calls.staged.push({ id, length });
      const n = calls.staged.length;
      inFlight++;
      calls.maxInFlight = Math.max(calls.maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      assert.strictEqual(body.length, length);
      if (n === opts.failOn) throw Object.assign(new Error('ServerBusy'), { statusCode: 503 });
    },
    async commitBlockList(ids: string[]) {
      calls.committed.push(ids);
    },
    async upload() {
      calls.puts++;
    },
  };
  return { blob: blob as unknown as BlockBlobClient, calls };
}

async function* chunks(count: number, size: number) {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size, i);
}

const options = { blockSize: 1000, concurrency: 3, metadata: {}, contentType: 'application/zip' };

describe('artifacts: block uploader', () => {
  it('cuts exact blocks, keeps at most `concurrency` in flight, commits them in order', async () => {
    const { blob, calls } = fakeBlob();
    const result = await uploadAsBlocks(chunks(25, 333), blob, options);
    assert.strictEqual(result.bytes, 25 * 333);
    assert.strictEqual(result.blocks, 9);
    assert.deepStrictEqual(calls.staged.map((s) => s.length), [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 325]);
    assert.ok(calls.maxInFlight <= 3 && calls.maxInFlight > 1, `max in flight ${calls.maxInFlight}`);
    assert.deepStrictEqual(calls.committed, [calls.staged.map((s) => s.id)]);
    assert.strictEqual(new Set(calls.staged.map((s) => Buffer.from(s.id, 'base64').length)).size, 1, 'ids of one length');
  });

  it('sends what fits in one block as a single Put Blob', async () => {
    const { blob, calls } = fakeBlob();
    const result = await uploadAsBlocks(chunks(2, 100), blob, options);
    assert.deepStrictEqual([result.blocks, calls.puts, calls.staged.length, calls.committed.length], [0, 1, 0, 0]);
  });

  it('stops at the first failed block and commits nothing', async () => {
    const { blob, calls } = fakeBlob({ failOn: 4 });
    await assert.rejects(uploadAsBlocks(chunks(100, 500), blob, options), /ServerBusy/);
    assert.deepStrictEqual(calls.committed, []);
    assert.ok(calls.staged.length < 50, `${calls.staged.length} blocks staged before stopping`);
  });

  it('stops when every block fails, with one block in flight at a time', async () => {
    const { blob } = fakeBlob({ failOn: 1 });
    await assert.rejects(uploadAsBlocks(chunks(100, 500), blob, { ...options, concurrency: 1 }), /ServerBusy/);
  });
});
