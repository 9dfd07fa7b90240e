// executeRollout and abortRollout in-process, through the dispatcher (read, plan, execute), against
// the simulator's VMs, session host agent and user sessions: the whole rollout, the health gate's
// rollback, a cancel mid-batch then a rerun, and abort. Counts ARM requests per host replaced.
import * as assert from 'assert';
import { InputReader } from '../../../../tasks/common/core/inputReader';
import { MemoryLogger } from '../../../../tasks/common/core/logger';
import { readUpdateHostPoolParams } from '../../../../tasks/common/hostpool/params';
import { UpdateHostPoolResult } from '../../../../tasks/common/hostpool/result';
import { updateHostPool } from '../../../../tasks/common/hostpool/updateHostPool';
import {
  EXCLUSION_TAG,
  same,
  TAGS,
  tagsSentFor,
  writes,
  hostPoolScenario,
  imageOf,
  PoolOptions,
  PoolWorld,
  sessionHostsOf,
  TARGET,
  vmCreations,
  vmsIn,
  nicsIn,
  disksIn,
  drainRequests,
} from '../../../e2e/hostPoolFixtures';
import { simAzureContext } from '../../../e2e/simConnection';
import { RecordedRequest, RunningSim, Scenario, startSimulator, StateDump } from '../../../sim';
import { PIPELINE } from '../../../support/pipelineInfo';

interface Run {
  result?: UpdateHostPoolResult;
  error?: Error;
  log: MemoryLogger;
}

async function rollout(
  sim: RunningSim,
  world: PoolWorld,
  inputs: Record<string, string> = {},
  o: { signal?: AbortSignal; jobAttempt?: number } = {},
): Promise<Run> {
  const values = world.inputs({ pollInterval: '1s', ...inputs });
  const params = readUpdateHostPoolParams(
    new InputReader({ get: (n) => values[n] || undefined, secret: () => undefined }),
  );
  const log = new MemoryLogger();
  try {
    const result = await updateHostPool({
      azure: simAzureContext(sim.info, {
        maxRetries: 2,
        retryDelayInMs: 50,
        maxRetryDelayInMs: 200,
      }),
      params,
      log,
      signal: o.signal ?? new AbortController().signal,
      pipeline: { ...PIPELINE, jobId: 'job-1', jobAttempt: o.jobAttempt ?? 1 },
    });
    return { result, log };
  } catch (err) {
    return { error: err as Error, log };
  }
}

const tail = (r: Run) =>
  `${r.error?.stack ?? r.result?.message}\n${r.log.lines.slice(-40).join('\n')}`;

function world(key: string, extra: Partial<PoolOptions> = {}): PoolWorld {
  return new PoolWorld({ key, hosts: 4, scalingPlan: false, ...extra });
}

async function start(w: PoolWorld, extra: Parameters<typeof hostPoolScenario>[1] = {}) {
  const scenario: Scenario = hostPoolScenario([w], { timeScale: 0.002, ...extra });
  return startSimulator({ scenario });
}

/** Aborts `abort` as soon as the simulator has answered a request `pred` accepts. */
function abortWhen(sim: RunningSim, abort: AbortController, pred: (r: RecordedRequest) => boolean) {
  const timer = setInterval(() => {
    if (sim.state().requests.some(pred)) {
      clearInterval(timer);
      abort.abort();
    }
  }, 20);
  return () => clearInterval(timer);
}

const hostsOn = (state: StateDump, w: PoolWorld) =>
  sessionHostsOf(state, w.pool).map((h) => {
    const vm = state.resources.find((r) => same(r.id, String(h.properties?.resourceId)));
    return {
      name: String(h.id.split('/').pop()),
      status: h.properties?.status as string,
      allowNewSession: h.properties?.allowNewSession as boolean,
      image: vm && imageOf(vm),
      tags: (vm?.tags ?? {}) as Record<string, string>,
    };
  });

describe('hostpool/execute: a rollout in-process against the simulator', function () {
  this.timeout(120_000);
  let sim: RunningSim;
  afterEach(async () => sim?.stop());

  it(
    'replaces 4 hosts: all Available on the target; old VMs, NICs and disks gone; the ' +
      'exclusion tag on each drained host; lease and token tags gone; a rerun writes nothing',
    async () => {
      const w = world('full', {
        scalingPlan: true,
        sessions: [
          { host: 0, user: 'ana@contoso.com', endsMinutesAfterMessage: 1 },
          { host: 1, user: 'bo@contoso.com' },
        ],
      });
      sim = await start(w);
      const r = await rollout(sim, w, {
        batchSize: '2',
        canary: '2',
        drainTimeout: '3s',
        logOffWarning: '1s',
      });
      assert.strictEqual(r.result?.rolloutState, 'Completed', tail(r));
      assert.strictEqual(r.result.result, 'Succeeded');
      const state = sim.state();
      const hosts = hostsOn(state, w);
      assert.strictEqual(hosts.length, 4);
      assert.ok(hosts.every((h) => same(h.image, TARGET) && h.status === 'Available'));
      assert.ok(
        hosts.every((h) => !(EXCLUSION_TAG in h.tags)),
        'no remaining host excluded',
      );
      assert.strictEqual(vmsIn(state, w.rg).length, 4);
      const leftOf = (ids: string[]) =>
        ids.filter((id) => w.originalVms.some((v) => id.includes(`/${v}-`)));
      assert.deepStrictEqual(leftOf(nicsIn(state, w.rg).map((n) => n.id)), []);
      assert.deepStrictEqual(leftOf(disksIn(state, w.rg).map((n) => n.id)), []);
      assert.strictEqual(vmCreations(state).length, 4);
      assert.strictEqual(drainRequests(state).length, 4);
      for (const v of w.originalVms) {
        const sent = tagsSentFor(state, w.vm(v));
        assert.ok(
          sent.some((t) => t[EXCLUSION_TAG] === 'gip.rollout' && t[TAGS.drained]),
          `${v} drained with the exclusion tag`,
        );
      }
      const pool = state.resources.find((x) => same(x.id, w.pool))!;
      assert.deepStrictEqual(Object.keys(pool.tags ?? {}).sort(), ['environment', TAGS.hostIndex]);
      assert.strictEqual(pool.tags?.[TAGS.hostIndex], '7');
      assert.deepStrictEqual(r.result.hostsRemoved.sort(), [...w.originalVms].sort());
      assert.deepStrictEqual(r.result.hostsAdded.sort(), ['avd-4', 'avd-5', 'avd-6', 'avd-7']);
      assert.match(r.result.summary ?? '', /### Before[\s\S]*### After[\s\S]*### Batches/);
      const n = state.requests.length;
      console.log(`      ARM requests: ${n} for 4 hosts (${n / 4} per host replaced)`);

      const again = await rollout(sim, w);
      assert.strictEqual(again.result?.rolloutState, 'Completed', tail(again));
      assert.deepStrictEqual(writes(sim.state(), n), [], 'the second run writes nothing');
    },
  );

  it('ARM requests per host replaced: 25 at most (8 hosts, batches of 4); canaryWait', async () => {
    const w = world('count', { hosts: 8, scalingPlan: true, vmManagedParts: true });
    sim = await start(w);
    const r = await rollout(sim, w, { batchSize: '4', canary: '4', canaryWait: '2s' });
    assert.strictEqual(r.result?.rolloutState, 'Completed', tail(r));
    const [canary, next] = r.result.batches;
    assert.ok(canary.canary && !next.canary);
    const waited = Date.parse(next.started) - Date.parse(canary.ended!);
    assert.ok(waited >= 2000, `canaryWait: the next batch started ${waited} ms after`);
    const n = sim.state().requests.length;
    console.log(`      ARM requests: ${n} for 8 hosts (${n / 8} per host replaced)`);
    assert.ok(n / 8 <= 25, `${n / 8} per host`);
  });

  it(
    'a canary that fails its health gate is put back: the new VM gone, the old host serves ' +
      'again, the run Failed naming the host, its status and check',
    async () => {
      const w = world('canary', { scalingPlan: true });
      sim = await start(w, {
        sessionHostBehaviour: [{ vmName: '^avd-4$', status: 'UpgradeFailed', afterMinutes: 1 }],
      });
      const r = await rollout(sim, w, { maxUnavailable: '1' });
      assert.strictEqual(r.result?.rolloutState, 'Failed', tail(r));
      assert.strictEqual(r.result.result, 'Failed');
      assert.match(r.result.message, /avd-4 is UpgradeFailed/);
      const state = sim.state();
      assert.ok(!state.resources.some((x) => same(x.id, w.vm('avd-4'))), 'the new VM is gone');
      const hosts = hostsOn(state, w);
      assert.deepStrictEqual(hosts.map((h) => h.name).sort(), w.originalVms);
      assert.ok(
        hosts.every((h) => h.allowNewSession),
        'every old host takes sessions',
      );
      assert.ok(hosts.every((h) => !(TAGS.drained in h.tags) && !(EXCLUSION_TAG in h.tags)));
      assert.strictEqual(drainRequests(state).length, 1, 'maxUnavailable 1 drained one early');
      const pool = state.resources.find((x) => same(x.id, w.pool))!;
      assert.ok(!(TAGS.lease in (pool.tags ?? {})), 'lease released');
    },
  );

  it('a new host still Unavailable at healthTimeout fails the run naming it', async () => {
    const w = world('slow');
    sim = await start(w, {
      sessionHostBehaviour: [{ vmName: '^avd-4$', status: 'Unavailable', afterMinutes: 1 }],
    });
    const started = Date.now();
    const r = await rollout(sim, w, { healthTimeout: '3s' });
    assert.strictEqual(r.result?.rolloutState, 'Failed', tail(r));
    assert.match(r.result.message, /healthTimeout \(3s\).*avd-4 is Unavailable/);
    assert.ok(Date.now() - started < 20_000);
    assert.strictEqual(vmsIn(sim.state(), w.rg).length, 4);
  });

  it(
    'cancelled while the first batch is made, then run again: finished with no extra VM and ' +
      'no host drained twice; the cancel released the lease',
    async () => {
      const w = world('resume', { scalingPlan: true });
      sim = await start(w);
      const abort = new AbortController();
      // The first new VM's PUT is answered: its creation goes on in Azure, its extensions are
      // the next run's to add.
      const stop = abortWhen(
        sim,
        abort,
        (q) => q.method === 'PUT' && /virtualMachines\/avd-4\?/.test(q.path),
      );
      const first = await rollout(sim, w, { batchSize: '2' }, { signal: abort.signal });
      stop();
      assert.ok(first.error && /Cancel|Abort/.test(first.error.name), tail(first));
      const pool = () => sim.state().resources.find((x) => same(x.id, w.pool))!;
      assert.ok(!(TAGS.lease in (pool().tags ?? {})), 'the cancel released the lease');
      const second = await rollout(sim, w, { batchSize: '2' }, { jobAttempt: 2 });
      assert.strictEqual(second.result?.rolloutState, 'Completed', tail(second));
      assert.ok(second.log.lines.some((l) => /avd-4: made by an earlier run/.test(l)));
      const state = sim.state();
      assert.strictEqual(vmCreations(state).length, 4, 'four VMs made in all');
      const drained = drainRequests(state).map((q) => q.path.split('?')[0].toLowerCase());
      assert.strictEqual(new Set(drained).size, drained.length, 'no host drained twice');
      const hosts = hostsOn(state, w);
      assert.strictEqual(hosts.length, 4);
      assert.ok(hosts.every((h) => same(h.image, TARGET) && h.status === 'Available'));
    },
  );

  it(
    'abort after a cancel mid-drain: the drained host serves again, the lease is gone, hosts ' +
      'already Available stay',
    async () => {
      const w = world('abort', {
        scalingPlan: true,
        sessions: [{ host: 0, user: 'ana@contoso.com' }],
      });
      sim = await start(w);
      const abort = new AbortController();
      const stop = abortWhen(sim, abort, (q) => q.method === 'POST' && /sendMessage/.test(q.path));
      const first = await rollout(sim, w, { drainTimeout: '1h' }, { signal: abort.signal });
      stop();
      assert.ok(first.error, tail(first));
      const drainedNow = hostsOn(sim.state(), w).filter((h) => TAGS.drained in h.tags);
      assert.strictEqual(drainedNow.length, 1, 'a cancel leaves the drained host drained');
      const aborted = await rollout(sim, w, { action: 'abort' });
      assert.ok(aborted.result, tail(aborted));
      const hosts = hostsOn(sim.state(), w);
      assert.strictEqual(hosts.length, 5, 'the new host, Available, stays');
      assert.ok(hosts.every((h) => h.allowNewSession && !(TAGS.drained in h.tags)));
      assert.ok(hosts.every((h) => !(EXCLUSION_TAG in h.tags)));
      const pool = sim.state().resources.find((x) => same(x.id, w.pool))!;
      assert.ok(!(TAGS.lease in (pool.tags ?? {})));
      assert.match(aborted.result.message, /1 drained host\(s\) serve again/);
    },
  );

  it(
    'forceLogOff never leaves a host drained (PartiallyCompleted, SucceededWithIssues); the ' +
      'next run signs its users out at the drain timeout counted from the first run',
    async () => {
      const w = world('never', { hosts: 2, sessions: [{ host: 0, user: 'ana@contoso.com' }] });
      sim = await start(w);
      const inputs = { batchSize: '2', canary: '2', drainTimeout: '2s', logOffWarning: '1s' };
      const first = await rollout(sim, w, { ...inputs, forceLogOff: 'never' });
      assert.strictEqual(first.result?.rolloutState, 'PartiallyCompleted', tail(first));
      assert.strictEqual(first.result.result, 'SucceededWithIssues');
      assert.match(first.result.message, /avd-0 stay drained/);
      assert.strictEqual(hostsOn(sim.state(), w).length, 3, 'avd-0 and both new hosts');
      const from = sim.state().requests.length;
      const second = await rollout(sim, w, inputs, { jobAttempt: 2 });
      assert.strictEqual(second.result?.rolloutState, 'Completed', tail(second));
      const state = sim.state();
      assert.strictEqual(drainRequests(state, from).length, 0, 'not drained twice');
      assert.strictEqual(vmCreations(state, from).length, 0, 'no VM made again');
      assert.ok(
        state.requests
          .slice(from)
          .some((q) => q.method === 'DELETE' && /userSessions/.test(q.path)),
      );
      assert.deepStrictEqual(
        hostsOn(state, w)
          .map((h) => h.name)
          .sort(),
        ['avd-2', 'avd-3'],
      );
    },
  );

  it("removeDeviceRecords deletes old hosts' devices; a refusal warns naming it", async () => {
    const w = world('devices', { hosts: 2 });
    const devices = w.originalVms.map((v) => ({ displayName: v, trustType: 'AzureAd' }));
    sim = await startSimulator({
      scenario: { ...hostPoolScenario([w], { timeScale: 0.002 }), graph: { devices } },
    });
    const r = await rollout(sim, w, { batchSize: '2', canary: '2', removeDeviceRecords: 'true' });
    assert.strictEqual(r.result?.rolloutState, 'Completed', tail(r));
    const left = (sim.state() as any).graph.devices.map((d: any) => d.displayName);
    assert.ok(!left.includes('avd-0') && !left.includes('avd-1'), left.join());
    await sim.stop();

    sim = await startSimulator({
      scenario: {
        ...hostPoolScenario([w], { timeScale: 0.002 }),
        graph: { devices, withheld: [{ permission: 'Device.ReadWrite.All' }] },
      },
    });
    const refused = await rollout(sim, w, {
      batchSize: '2',
      canary: '2',
      removeDeviceRecords: 'true',
    });
    assert.strictEqual(refused.result?.rolloutState, 'Completed', tail(refused));
    assert.strictEqual(refused.result.result, 'SucceededWithIssues');
    assert.match(refused.result.summary ?? '', /Device\.ReadWrite\.All/);
    assert.match(refused.result.summary ?? '', /Entra device records to remove[\s\S]*avd-0/);
  });

  it('a new VM Compute refuses fails the batch and puts it back, naming the error', async () => {
    const w = world('refused', { hosts: 2 });
    sim = await startSimulator({
      scenario: {
        ...hostPoolScenario([w], { timeScale: 0.002 }),
        faults: [{ method: 'PUT', path: '/virtualMachines/avd-2\\?', status: 409, times: 1 }],
      },
    });
    const r = await rollout(sim, w);
    assert.strictEqual(r.result?.rolloutState, 'Failed', tail(r));
    assert.match(r.result.message, /Creating the batch's new hosts failed/);
    const state = sim.state();
    assert.deepStrictEqual(
      hostsOn(state, w)
        .map((h) => h.name)
        .sort(),
      ['avd-0', 'avd-1'],
    );
    assert.ok(hostsOn(state, w).every((h) => h.allowNewSession));
    assert.strictEqual(vmsIn(state, w.rg).length, 2);
  });

  it('cancelled between an old VM deletion and its host removal: the rerun ends it', async () => {
    const w = world('orphan', { hosts: 2, vmManagedParts: true });
    sim = await start(w);
    const abort = new AbortController();
    const stop = abortWhen(
      sim,
      abort,
      (q) => q.method === 'DELETE' && /virtualMachines\/avd-0\?/.test(q.path),
    );
    const first = await rollout(sim, w, {}, { signal: abort.signal });
    stop();
    assert.ok(first.error, tail(first));
    // Azure finishes the deletion it accepted.
    while (sim.state().resources.some((x) => same(x.id, w.vm('avd-0'))))
      await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await rollout(sim, w, {}, { jobAttempt: 2 });
    assert.strictEqual(second.result?.rolloutState, 'Completed', tail(second));
    assert.ok(second.log.lines.some((l) => /avd-0: its VM was removed by an earlier run/.test(l)));
    const state = sim.state();
    assert.deepStrictEqual(
      hostsOn(state, w)
        .map((h) => h.name)
        .sort(),
      ['avd-2', 'avd-4'], // avd-3's name was reserved by the first run: never reused
    );
    assert.strictEqual(vmCreations(state).length, 2, 'no extra VM');
  });
});
