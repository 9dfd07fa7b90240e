import * as assert from 'assert';
import { PassThrough, Readable } from 'stream';
import { chunksOf } from '../../../tasks/common/artifacts/streamChunks';

describe('chunksOf', () => {
  it(
    'yields each chunk as it was pushed, in order, where for-await on the stream joins what ' +
      'is buffered',
    async () => {
      const pushed = [
        Buffer.from('header'),
        Buffer.alloc(1000, 1),
        Buffer.from('descriptor'),
        Buffer.alloc(500, 2),
      ];
      const joined: Buffer[] = [];
      const a = new PassThrough();
      pushed.forEach((b) => a.write(b));
      a.end();
      for await (const c of a) joined.push(c as Buffer);
      assert.ok(
        joined.length < pushed.length,
        'read() joins buffered chunks (what chunksOf avoids)',
      );

      const b = new PassThrough();
      pushed.forEach((x) => b.write(x));
      b.end();
      const got: Buffer[] = [];
      for await (const c of chunksOf(b)) got.push(c);
      assert.strictEqual(got.length, pushed.length);
      got.forEach((c, i) => assert.ok(c.equals(pushed[i])));
    },
  );

  it('holds back a fast producer: no more than the high-water mark waits unread', async () => {
    let produced = 0;
    const source = new Readable({
      highWaterMark: 1,
      read() {
        produced++;
        this.push(produced <= 100 ? Buffer.alloc(10) : null);
      },
    });
    let consumed = 0;
    let maxAhead = 0;
    for await (const c of chunksOf(source, 4)) {
      consumed++;
      assert.strictEqual(c.length, 10);
      await new Promise((r) => setTimeout(r, 1));
      maxAhead = Math.max(maxAhead, produced - consumed);
    }
    assert.strictEqual(consumed, 100);
    assert.ok(maxAhead <= 8, `${maxAhead} chunks ahead of the consumer`);
  });

  it("throws the stream's error after its earlier chunks; bare destroy() throws too", async () => {
    const s = new PassThrough();
    s.write(Buffer.from('a'));
    setTimeout(() => s.destroy(new Error('disk gone')), 5);
    const got: string[] = [];
    await assert.rejects(async () => {
      for await (const c of chunksOf(s)) got.push(c.toString());
    }, /disk gone/);
    assert.deepStrictEqual(got, ['a']);

    const quiet = new PassThrough();
    setTimeout(() => quiet.destroy(), 5);
    await assert.rejects(async () => {
      for await (const c of chunksOf(quiet)) void c;
    }, /closed before it ended/);
  });
});
