import * as assert from 'assert';
import {
  assertLeaseFree,
  LeaseRefusedError,
  takeLease,
} from '../../../../tasks/common/hostpool/execute/lease';
import { withSignal } from '../../../../tasks/common/hostpool/execute/context';
import { LEASE_TAG, parseLease } from '../../../../tasks/common/hostpool/tags';
import { RunningSim } from '../../../sim';
import {
  aheadClock,
  baseResources,
  poolResource,
  poolTags,
  startPoolSim,
  testContext,
  writes,
} from './execSupport';

const RUN = 'https://dev.azure.com/contoso/images/_build/results?buildId=1001';
const OTHER = 'https://dev.azure.com/contoso/images/_build/results?buildId=2002';
const TARGET =
  '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/w' +
  '/versions/1.0.1';
const holder = { run: RUN, job: 'job-1', attempt: 1, target: TARGET };
const HOUR = 3_600_000;

function leaseTag(o: { run: string; job: string; expiresInMs: number; attempt?: number }) {
  return JSON.stringify({
    run: o.run,
    job: o.job,
    attempt: o.attempt ?? 1,
    target: TARGET,
    expires: new Date(Date.now() + o.expiresInMs).toISOString(),
  });
}

describe('hostpool/execute/lease: the pool tag gip.rollout against the simulator', function () {
  this.timeout(30_000);
  let sim: RunningSim;
  afterEach(async () => sim?.stop());

  it('takes a free pool, writes the agreed JSON and reads it back', async () => {
    sim = await startPoolSim({ resources: [...baseResources(), poolResource({ keep: 'me' })] });
    const { ctx } = testContext(sim);
    const { lease, replaced } = await takeLease({ ctx, holder, ttlMs: HOUR });
    assert.strictEqual(replaced, undefined);
    const tags = poolTags(sim);
    assert.strictEqual(tags.keep, 'me', 'other tags kept');
    const written = parseLease(tags[LEASE_TAG]);
    assert.deepStrictEqual({ ...written, expires: undefined }, { ...holder, expires: undefined });
    assert.deepStrictEqual(written, lease.value);
    const reqs = sim.state().requests.map((r) => r.method);
    assert.deepStrictEqual(reqs, ['GET', 'PATCH', 'GET'], 'read, write, read back');
  });

  it('refuses a pool another run holds, naming the holder, and writes nothing', async () => {
    sim = await startPoolSim({
      resources: [
        ...baseResources(),
        poolResource({ [LEASE_TAG]: leaseTag({ run: OTHER, job: 'job-9', expiresInMs: HOUR }) }),
      ],
    });
    const { ctx } = testContext(sim);
    await assert.rejects(
      takeLease({ ctx, holder, ttlMs: HOUR }),
      (err: Error) =>
        err instanceof LeaseRefusedError &&
        err.message.includes(OTHER) &&
        err.message.includes('job-9') &&
        err.message.includes(TARGET),
    );
    assert.deepStrictEqual(writes(sim), []);
  });

  it('a rerun of the same job takes its own lease back', async () => {
    sim = await startPoolSim({
      resources: [
        ...baseResources(),
        poolResource({
          [LEASE_TAG]: leaseTag({ run: RUN, job: 'job-1', attempt: 1, expiresInMs: HOUR }),
        }),
      ],
    });
    const { ctx, log } = testContext(sim);
    const { replaced } = await takeLease({ ctx, holder: { ...holder, attempt: 2 }, ttlMs: HOUR });
    assert.strictEqual(replaced?.attempt, 1);
    assert.strictEqual(parseLease(poolTags(sim)[LEASE_TAG])?.attempt, 2);
    assert.ok(log.lines.some((l) => /own lease/.test(l)));
  });

  it('an expired lease of another run is taken over, with a warning naming it', async () => {
    sim = await startPoolSim({
      resources: [
        ...baseResources(),
        poolResource({ [LEASE_TAG]: leaseTag({ run: OTHER, job: 'job-9', expiresInMs: -60_000 }) }),
      ],
    });
    const { ctx, log } = testContext(sim);
    const { replaced } = await takeLease({ ctx, holder, ttlMs: HOUR });
    assert.strictEqual(replaced?.run, OTHER);
    assert.strictEqual(parseLease(poolTags(sim)[LEASE_TAG])?.run, RUN);
    assert.ok(log.lines.some((l) => l.startsWith('warning:') && l.includes(OTHER)));
  });

  it('a tag value this task did not write is refused, saying how to clear it', async () => {
    sim = await startPoolSim({
      resources: [...baseResources(), poolResource({ [LEASE_TAG]: 'someone' })],
    });
    const { ctx } = testContext(sim);
    await assert.rejects(
      takeLease({ ctx, holder, ttlMs: HOUR }),
      /holds 'someone'.*remove the tag/,
    );
  });

  it('renews only when half its time is gone; release removes it, leaving other tags', async () => {
    sim = await startPoolSim({ resources: [...baseResources(), poolResource({ keep: 'me' })] });
    let offset = 0;
    const clock = {
      now: () => Date.now() + offset,
      sleep: (ms: number, signal: AbortSignal) => aheadClock(0).sleep(ms, signal),
    };
    const { ctx } = testContext(sim, { clock });
    const { lease } = await takeLease({ ctx, holder, ttlMs: HOUR });
    const first = lease.value.expires;
    const before = sim.state().requests.length;
    offset = 20 * 60_000;
    await lease.renewIfDue();
    assert.strictEqual(sim.state().requests.length, before, 'not due: no request');
    offset = 40 * 60_000;
    await lease.renewIfDue();
    assert.ok(Date.parse(lease.value.expires) > Date.parse(first) + 30 * 60_000);
    assert.strictEqual(poolTags(sim)[LEASE_TAG], JSON.stringify(lease.value), 'renewed in Azure');
    await lease.release();
    assert.deepStrictEqual(poolTags(sim), { keep: 'me' });
  });

  it('a cancel between the lease PATCH and its read-back releases the lease', async () => {
    // The read-back (the 2nd pool GET) is slow, so the cancel lands after the PATCH took effect.
    sim = await startPoolSim({
      resources: [...baseResources(), poolResource({ keep: 'me' })],
      faults: [{ method: 'GET', path: '/hostPools/hp1\\?', skip: 1, delayMs: 3000 }],
    });
    const { ctx, abort } = testContext(sim);
    const timer = setInterval(() => {
      if (sim.state().requests.some((r) => r.method === 'PATCH')) abort.abort();
    }, 10);
    try {
      await assert.rejects(
        takeLease({
          ctx,
          holder,
          ttlMs: HOUR,
          releaseInterrupted: (l) => l.release(withSignal(ctx, AbortSignal.timeout(5000))),
        }),
        (err: Error) => !(err instanceof LeaseRefusedError),
      );
    } finally {
      clearInterval(timer);
    }
    assert.deepStrictEqual(poolTags(sim), { keep: 'me' }, 'the lease written was removed');
  });

  it('release leaves a lease that another run took over meanwhile', async () => {
    sim = await startPoolSim({ resources: [...baseResources(), poolResource()] });
    const { ctx, log } = testContext(sim);
    const { lease } = await takeLease({ ctx, holder, ttlMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    const other = testContext(sim).ctx;
    await takeLease({ ctx: other, holder: { ...holder, run: OTHER }, ttlMs: HOUR });
    await lease.release();
    assert.strictEqual(parseLease(poolTags(sim)[LEASE_TAG])?.run, OTHER);
    assert.ok(log.lines.some((l) => /left as it is/.test(l)));
  });

  it('a renewal finds its lease removed (action: abort) and stops the run', async () => {
    sim = await startPoolSim({ resources: [...baseResources(), poolResource()] });
    let offset = 0;
    const clock = {
      now: () => Date.now() + offset,
      sleep: (ms: number, signal: AbortSignal) => aheadClock(0).sleep(ms, signal),
    };
    const { ctx } = testContext(sim, { clock });
    const { lease } = await takeLease({ ctx, holder, ttlMs: HOUR });
    await ctx.avd.hostPools.update('rg-avd', 'hp1', { hostPool: { tags: {} } });
    offset = 40 * 60_000;
    await assert.rejects(
      lease.renewIfDue(),
      (err: Error) => err instanceof LeaseRefusedError && /was removed/.test(err.message),
    );
    assert.deepStrictEqual(poolTags(sim), {}, 'not written back');
  });

  it('assertLeaseFree (the dispatcher, before planning): refuses another live lease only', () => {
    const tags = (run: string, expiresInMs: number) => ({
      [LEASE_TAG]: leaseTag({ run, job: 'job-9', expiresInMs }),
    });
    const check = (t: Record<string, string>, job = 'job-9') =>
      assertLeaseFree({ pool: 'hp1', tags: t, holder: { run: RUN, job }, now: Date.now() });
    assert.throws(() => check(tags(OTHER, HOUR)), /being rolled out by another run: run https/);
    assert.strictEqual(check(tags(RUN, HOUR))?.run, RUN, "this job's own lease");
    assert.strictEqual(check(tags(OTHER, -1000))?.run, OTHER, 'expired');
    assert.strictEqual(check({}), undefined);
  });
});
