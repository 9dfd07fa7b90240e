import * as assert from 'assert';
import {
  LiveLog,
  parseStamped,
  sortableTs,
} from '../../../../tasks/common/imagebuilder/livelog/liveLog';

/** A container log that grows between polls; `tail` as ACI answers it. */
class FakeContainer {
  lines: { ts: string; text: string }[] = [];
  calls: (number | undefined)[] = [];
  gone = false;
  write(text: string, ts: string): void {
    this.lines.push({ ts, text });
  }
  read(tail: number | undefined): Promise<string | undefined> {
    this.calls.push(tail);
    if (this.gone) return Promise.resolve(undefined);
    const pick = tail === undefined ? this.lines : this.lines.slice(-tail);
    return Promise.resolve(pick.map((l) => `${l.ts} ${l.text}\n`).join(''));
  }
  blob(): { read(offset: number): Promise<Buffer> } {
    const text = Buffer.from(this.lines.map((l) => `${l.text}\n`).join(''), 'utf8');
    return { read: (offset: number) => Promise.resolve(text.subarray(offset)) };
  }
}

const ts = (n: number) => `2024-11-21T08:00:00.${String(n).padStart(9, '0')}Z`;

describe('imagebuilder: live log', () => {
  it(
    'prints every line once, in order, across polls of any size, with bursts bigger than the ' +
      'tail (gaps)',
    async () => {
      const c = new FakeContainer();
      const printed: string[] = [];
      const live = new LiveLog((l) => printed.push(l));
      let n = 0;
      for (const burst of [3, 0, 10, 500, 1, 2000, 7, 0, 120]) {
        for (let i = 0; i < burst; i++, n++) c.write(`line ${n} ✓`, ts(n));
        await live.pollContainer(c);
      }
      assert.deepStrictEqual(
        printed,
        c.lines.map((l) => l.text),
      );
      assert.ok(
        c.calls.filter((t) => t === undefined).length <= 2,
        `whole-log reads: ${c.calls.join(',')}`,
      );
    },
  );

  it(
    'windows follow the pace of the log: a burst widens one read, not the ones after; ' +
      'skipped polls widen the next read',
    async () => {
      const c = new FakeContainer();
      const printed: string[] = [];
      const live = new LiveLog((l) => printed.push(l));
      let n = 0;
      const write = (k: number) => {
        for (let i = 0; i < k; i++, n++) c.write(`line ${n}`, ts(n));
      };
      for (const burst of [5, 5, 5, 1500, 5, 5, 5]) {
        write(burst);
        await live.pollContainer(c);
      }
      const afterBurst = c.calls.slice(-3); // the three polls of 5 lines after it
      assert.ok(
        afterBurst.every((t) => t !== undefined && t <= 40),
        `the reads after the burst: ${c.calls.join(',')}`,
      );
      const before = c.calls.length;
      write(12); // two polls' worth of lines, read in one
      await live.pollContainer(c, 2);
      assert.strictEqual(
        c.calls.length,
        before + 1,
        `one read for two polls: ${c.calls.slice(before).join(',')}`,
      );
      assert.deepStrictEqual(
        printed,
        c.lines.map((l) => l.text),
      );
    },
  );

  it('lines sharing a timestamp are neither lost nor repeated', async () => {
    const c = new FakeContainer();
    const printed: string[] = [];
    const live = new LiveLog((l) => printed.push(l));
    c.write('a', ts(1));
    c.write('b', ts(1));
    await live.pollContainer(c);
    c.write('c', ts(1));
    c.write('d', ts(2));
    await live.pollContainer(c);
    assert.deepStrictEqual(printed, ['a', 'b', 'c', 'd']);
  });

  it(
    'hands over to customization.log where the container stopped: the rest once, with a ' +
      'range read',
    async () => {
      const c = new FakeContainer();
      const printed: string[] = [];
      const live = new LiveLog((l) => printed.push(l));
      for (let i = 0; i < 20; i++) c.write(`line ${i} é`, ts(i));
      await live.pollContainer(c);
      for (let i = 20; i < 30; i++) c.write(`line ${i}`, ts(i));
      c.gone = true;
      assert.strictEqual(await live.pollContainer(c), false);
      assert.strictEqual(await live.pollBlob(c.blob()), true);
      assert.deepStrictEqual(
        printed,
        c.lines.map((l) => l.text),
      );
      const total = Buffer.byteLength(c.lines.map((l) => `${l.text}\n`).join(''));
      assert.ok(live.fetched.blob < total / 2, `fetched ${live.fetched.blob} of ${total}`);
      await live.pollBlob(c.blob());
      assert.strictEqual(printed.length, 30, 'nothing repeated on a later read');
    },
  );

  it('a blob not continuing the printed lines is read whole, aligned by line count', async () => {
    const c = new FakeContainer();
    const printed: string[] = [];
    const live = new LiveLog((l) => printed.push(l));
    c.write('one', ts(1));
    c.write('two', ts(2));
    await live.pollContainer(c);
    const other = Buffer.from('ONE!\nTWO!\nthree\nfour (partial');
    await live.pollBlob({ read: (o: number) => Promise.resolve(other.subarray(o)) });
    assert.deepStrictEqual(printed, ['one', 'two', 'three'], 'only complete lines');
  });

  it('timestamps with trimmed fractions sort as times', () => {
    assert.ok(sortableTs('2024-11-21T08:05:09.1234Z') < sortableTs('2024-11-21T08:05:09.12345Z'));
    assert.ok(sortableTs('2024-11-21T08:05:09Z') < sortableTs('2024-11-21T08:05:09.000000001Z'));
    assert.deepStrictEqual(parseStamped('2024-11-21T08:05:09.5Z hello world\n'), [
      { ts: '2024-11-21T08:05:09.500000000Z', text: 'hello world' },
    ]);
  });
});
