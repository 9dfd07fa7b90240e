import * as assert from 'assert';
import { MemoryLogger } from '../../../tasks/common/core/logger';
import { CancelledError } from '../../../tasks/common/core/errors';
import {
  progressLine,
  regionStates,
  ReplicatingVersion,
  settled,
  waitForReplication,
} from '../../../tasks/common/gallery/replication';

const LOCATIONS = [
  { name: 'westeurope', displayName: 'West Europe' },
  { name: 'eastus', displayName: 'East US' },
];
const version = (
  provisioningState: string,
  summary: { region: string; state: string; progress: number; details?: string }[],
): ReplicatingVersion => ({
  provisioningState,
  publishingProfile: { targetRegions: [{ name: 'West Europe' }, { name: 'East US' }] },
  replicationStatus: { summary },
});

describe('gallery: waiting for replication', () => {
  it('reads every target region, queued ones included, by canonical name', () => {
    const states = regionStates(
      version('Creating', [{ region: 'West Europe', state: 'Replicating', progress: 40 }]),
      LOCATIONS,
    );
    assert.deepStrictEqual(states, [
      { region: 'westeurope', state: 'Replicating', progress: 40, details: undefined },
      { region: 'eastus', state: 'Unknown', progress: 0, details: undefined },
    ]);
    assert.strictEqual(progressLine(states), 'westeurope 40% · eastus queued');
  });

  it('settles when every region is done, failed when one failed', () => {
    const done = version('Succeeded', [
      { region: 'West Europe', state: 'Completed', progress: 100 },
      { region: 'East US', state: 'Completed', progress: 100 },
    ]);
    assert.strictEqual(settled(done, regionStates(done, LOCATIONS)), 'completed');
    const busy = { ...done, provisioningState: 'Updating' };
    assert.strictEqual(
      settled(busy, regionStates(busy, LOCATIONS)),
      undefined,
      'Compute still working',
    );
    const failing = version('Creating', [
      { region: 'West Europe', state: 'Completed', progress: 100 },
      { region: 'East US', state: 'Failed', progress: 40, details: 'quota' },
    ]);
    assert.strictEqual(settled(failing, regionStates(failing, LOCATIONS)), 'failed');
    const half = version('Creating', [
      { region: 'West Europe', state: 'Replicating', progress: 50 },
      { region: 'East US', state: 'Failed', progress: 40 },
    ]);
    assert.strictEqual(
      settled(half, regionStates(half, LOCATIONS)),
      undefined,
      'waits for the other regions',
    );
  });

  function fake(steps: ReplicatingVersion[], retryAfter?: number) {
    const sleeps: number[] = [];
    let i = 0;
    return {
      sleeps,
      opts: {
        fetch: (onRetryAfter: (s: number) => void) => {
          if (retryAfter !== undefined) onRetryAfter(retryAfter);
          return Promise.resolve(steps[Math.min(i++, steps.length - 1)]);
        },
        clock: {
          now: () => 0,
          sleep: (ms: number) => {
            sleeps.push(ms);
            return Promise.resolve();
          },
        },
      },
    };
  }

  it('one read per poll, a line when something moved, progress, Retry-After honoured', async () => {
    const log = new MemoryLogger();
    const steps = [
      version('Creating', [{ region: 'West Europe', state: 'Replicating', progress: 10 }]),
      version('Creating', [{ region: 'West Europe', state: 'Replicating', progress: 10 }]),
      version('Creating', [
        { region: 'West Europe', state: 'Completed', progress: 100 },
        { region: 'East US', state: 'Replicating', progress: 50 },
      ]),
      version('Succeeded', [
        { region: 'West Europe', state: 'Completed', progress: 100 },
        { region: 'East US', state: 'Completed', progress: 100 },
      ]),
    ];
    const f = fake(steps, 7);
    const result = await waitForReplication({
      ...f.opts,
      locations: LOCATIONS,
      timeoutMs: 3_600_000,
      pollIntervalMs: 30_000,
      log,
      signal: new AbortController().signal,
      label: 'Replicating 1.0.0',
    });
    assert.strictEqual(result.outcome, 'completed');
    assert.deepStrictEqual(
      f.sleeps,
      [7000, 7000, 7000],
      'Retry-After instead of the 30 s interval',
    );
    const lines = log.lines.filter((l) => l.startsWith('['));
    assert.strictEqual(lines.length, 3, 'the unchanged poll prints nothing');
    assert.match(lines[2], /westeurope completed · eastus completed$/);
    assert.ok(log.lines.includes('progress: 75% Replicating 1.0.0: 1 of 2 regions done'));
  });

  it('times out with the regions as they are', async () => {
    let t = 0;
    const f = fake([
      version('Creating', [{ region: 'West Europe', state: 'Replicating', progress: 10 }]),
    ]);
    const result = await waitForReplication({
      ...f.opts,
      clock: {
        sleep: (ms: number) => {
          t += ms;
          return Promise.resolve();
        },
        now: () => t,
      },
      locations: LOCATIONS,
      timeoutMs: 60_000,
      pollIntervalMs: 25_000,
      log: new MemoryLogger(),
      signal: new AbortController().signal,
      label: 'x',
    });
    assert.strictEqual(result.outcome, 'timeout');
    assert.strictEqual(t, 60_000, 'the last sleep is cut to the deadline');
  });

  it('cancellation stops the wait at once', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = waitForReplication({
      fetch: () => Promise.resolve(version('Creating', [])),
      locations: LOCATIONS,
      timeoutMs: 3_600_000,
      pollIntervalMs: 60_000,
      log: new MemoryLogger(),
      signal: controller.signal,
      label: 'x',
    });
    setTimeout(() => controller.abort(new CancelledError()), 20);
    await assert.rejects(waiting, CancelledError);
    assert.ok(Date.now() - started < 1000);
  });
});
