import * as assert from 'assert';
import { sleep } from '../../../tasks/common/core/clock';
import { CancelledError } from '../../../tasks/common/core/errors';
import { poll, retry } from '../../../tasks/common/core/poll';
import { drivenClock } from '../../support/drivenClock';

const signal = new AbortController().signal;

describe('core: poll loop and retry', () => {
  it('reads until done, waiting the interval between reads', async () => {
    const clock = drivenClock();
    const values = ['Creating', 'Creating', 'Succeeded'];
    const result = await poll({
      read: (p) => Promise.resolve(values[p.attempt - 1]),
      done: (v) => v === 'Succeeded',
      intervalMs: 5_000,
      signal,
      clock,
    });
    assert.deepStrictEqual(result, { value: 'Succeeded', done: true, elapsedMs: 10_000 });
    assert.deepStrictEqual(clock.waits, [5_000, 5_000]);
  });

  it('waits what Retry-After asks instead of the interval, for that wait only', async () => {
    const clock = drivenClock();
    await poll({
      read: (p) => {
        if (p.attempt === 1) p.retryAfter(17);
        return Promise.resolve(p.attempt);
      },
      done: (n) => n === 3,
      intervalMs: 2_000,
      signal,
      clock,
    });
    assert.deepStrictEqual(clock.waits, [17_000, 2_000]);
  });

  it('backs off by a factor up to a ceiling', async () => {
    const clock = drivenClock();
    await poll({
      read: (p) => Promise.resolve(p.attempt),
      done: (n) => n === 6,
      intervalMs: 250,
      backoff: 2,
      maxIntervalMs: 1_500,
      signal,
      clock,
    });
    assert.deepStrictEqual(clock.waits, [250, 500, 1_000, 1_500, 1_500]);
  });

  it(
    'times out with the last value; the last wait is cut to the deadline, which gets one ' +
      'last read',
    async () => {
      const clock = drivenClock();
      let reads = 0;
      const result = await poll({
        read: () => Promise.resolve(++reads),
        done: () => false,
        intervalMs: 25_000,
        timeoutMs: 60_000,
        signal,
        clock,
      });
      assert.deepStrictEqual(result, { value: 4, done: false, elapsedMs: 60_000 });
      assert.deepStrictEqual(clock.waits, [25_000, 25_000, 10_000]);
    },
  );

  it('an abort ends the wait at once; a long wait leaves no abort listener behind', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = poll({
      read: () => Promise.resolve(0),
      done: () => false,
      intervalMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new CancelledError()), 20);
    await assert.rejects(waiting, CancelledError);
    assert.ok(Date.now() - started < 1_000);

    // Many sleeps on one signal (a long provider wait): each removes its listener, so Node never
    // warns.
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const long = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(0, long.signal);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    assert.deepStrictEqual(
      warnings.map((w) => w.name),
      [],
    );
  });

  it(
    'retry: retries only what may go away by itself, waiting as told, then gives up with the ' +
      'error',
    async () => {
      const clock = drivenClock();
      const told: number[] = [];
      let runs = 0;
      const value = await retry({
        run: () =>
          ++runs < 3
            ? Promise.reject(Object.assign(new Error('replicating'), { code: 'PrincipalNotFound' }))
            : Promise.resolve('ok'),
        retryable: (e) => (e as { code?: string }).code === 'PrincipalNotFound',
        attempts: 5,
        delayMs: (n) => n * 1_000,
        onRetry: (_e, n) => told.push(n),
        signal,
        clock,
      });
      assert.strictEqual(value, 'ok');
      assert.deepStrictEqual(clock.waits, [1_000, 2_000]);
      assert.deepStrictEqual(told, [1, 2]);

      await assert.rejects(
        retry({
          run: () => Promise.reject(new Error('other')),
          retryable: () => false,
          attempts: 5,
          delayMs: () => 1,
          signal,
          clock,
        }),
        /other/,
      );
      let tries = 0;
      await assert.rejects(
        retry({
          run: () => {
            tries++;
            return Promise.reject(new Error('still'));
          },
          retryable: () => true,
          attempts: 3,
          delayMs: () => 1,
          signal,
          clock,
        }),
        /still/,
      );
      assert.strictEqual(tries, 3);
    },
  );
});
