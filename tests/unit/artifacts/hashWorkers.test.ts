import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SAMPLE_SPAN, SAMPLE_STRIDE } from '../../../tasks/common/artifacts/compression';
import { HashWorkers } from '../../../tasks/common/artifacts/hashWorkers';
import { randomBytes, tempDir, writeTree } from './support';

describe('artifacts: hashing threads', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it(
    'give each file its sha256 and the histogram of the first bytes of every stride, several ' +
      'files at once',
    async () => {
      const dir = tempDir();
      dirs.push(dir);
      const big = Buffer.concat([
        randomBytes(2 * SAMPLE_STRIDE + 5000, 'big'),
        Buffer.alloc(SAMPLE_STRIDE, 'a'),
      ]);
      const files = { 'big.bin': big, 'small.txt': Buffer.from('small'), empty: Buffer.alloc(0) };
      writeTree(dir, files);
      const workers = new HashWorkers();
      try {
        let bytes = 0;
        const results = await Promise.all(
          Object.keys(files).map((name) =>
            workers.hash(
              path.join(dir, name),
              files[name as keyof typeof files].length,
              (n) => (bytes += n),
            ),
          ),
        );
        for (const [i, [name, content]] of Object.entries(files).entries()) {
          assert.strictEqual(
            results[i].sha256,
            crypto.createHash('sha256').update(content).digest('hex'),
            name,
          );
          assert.strictEqual(results[i].read, content.length, name);
        }
        assert.strictEqual(bytes, big.length + 5);
        const expected = new Uint32Array(256);
        for (let at = 0; at < big.length; at++)
          if (at % SAMPLE_STRIDE < SAMPLE_SPAN) expected[big[at]]++;
        assert.deepStrictEqual(results[0].histogram, expected);
        assert.strictEqual(results[1].histogram, undefined, 'files under 64 KiB are not sampled');
        await assert.rejects(
          workers.hash(path.join(dir, 'missing'), 1, () => undefined),
          (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
        );
      } finally {
        await workers.stop(new Error('done'));
      }
      await assert.rejects(
        workers.hash(path.join(dir, 'big.bin'), big.length, () => undefined),
        /done/,
      );
    },
  );
});
