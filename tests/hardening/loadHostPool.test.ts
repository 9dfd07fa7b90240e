import * as assert from 'assert';
import type { Fault } from '../sim';
import {
  disksIn,
  hostsWithVms,
  imageOf,
  nicsIn,
  PoolWorld,
  runUpdateHostPool,
  same,
  TARGET,
  vmCreations,
  vmsIn,
  withHostPoolSim,
} from '../e2e/hostPoolFixtures';
import { ARM_LIMITS, describeRate, OperationType, rateOf, retriesOf } from './armRate';
import { tail } from './interrupt';

/**
 * Issue 16 §5 for UpdateHostPool: a 40-host Standard pool (users on five hosts) rolled onto a new
 * image ten hosts at a time, plain and with throttling on (429 + Retry-After on the session host
 * list and on VM creation). Every host ends on the target, Available; 40 VMs created, none twice,
 * no name reused (VMs, NICs, disks); the ARM requests stay inside Azure's documented token
 * buckets, and each 429 is retried once, never before Retry-After.
 *
 * Sized for a 2-CPU machine: simulated time × 0.005 (a host is Available 1.2 s after its VM),
 * polls every 2 s (the task's default is 30 s).
 */
const HOSTS = 40;

const world = (key: string) =>
  new PoolWorld({
    key,
    hosts: HOSTS,
    sessions: [0, 7, 15, 23, 31].map((host, i) => ({
      host,
      user: `user${i}@contoso.com`,
      endsMinutesAfterMessage: 1,
    })),
  });

const inputs = (w: PoolWorld) =>
  w.inputs({ batchSize: '10', pollInterval: '2s', drainTimeout: '20s', healthTimeout: '60s' });

async function rollout(w: PoolWorld, faults: Fault[] = []) {
  return withHostPoolSim(
    [w],
    async (sim) => {
      const started = Date.now();
      const run = await runUpdateHostPool(sim, inputs(w));
      return { run, seconds: (Date.now() - started) / 1000 };
    },
    { faults },
  );
}

function assertRolled(w: PoolWorld, r: Awaited<ReturnType<typeof rollout>>['run']): void {
  assert.strictEqual(r.result, 'Succeeded', tail(r));
  const hosts = hostsWithVms(r.state, w);
  assert.strictEqual(hosts.length, HOSTS);
  for (const { host, vm } of hosts) {
    assert.strictEqual(host.properties.status, 'Available', host.name);
    assert.ok(vm && same(imageOf(vm), TARGET), `${host.name} runs the target`);
    assert.ok(!w.originalVms.includes(vm.name), `${vm.name} is new`);
  }
  const created = vmCreations(r.state).map((q) => q.path.split('?')[0].toLowerCase());
  assert.strictEqual(created.length, HOSTS, 'one VM created per host');
  assert.strictEqual(new Set(created).size, HOSTS, 'no VM created twice');
  for (const names of [vmsIn, nicsIn, disksIn].map((f) => f(r.state, w.rg).map((x) => x.name)))
    assert.strictEqual(new Set(names).size, names.length, `no name shared: ${names.join(', ')}`);
  assert.strictEqual(vmsIn(r.state, w.rg).length, HOSTS, 'the old VMs are gone');
}

function assertWithinLimits(rate: ReturnType<typeof rateOf>): void {
  for (const type of Object.keys(ARM_LIMITS) as OperationType[])
    assert.ok(
      rate.byType[type].lowestTokens >= 0,
      `${type}: the token bucket ran dry (${rate.byType[type].lowestTokens})`,
    );
}

describe('hardening: load, a 40-host UpdateHostPool rollout', function () {
  this.timeout(300_000);
  const noted: string[] = [];
  after(() => console.log(noted.map((n) => `      ${n}`).join('\n')));

  it('40 hosts onto the target, none twice, no name shared, inside the ARM limits', async () => {
    const w = world('load');
    const { run, seconds } = await rollout(w);
    assertRolled(w, run);
    const rate = rateOf(run.state.requests);
    noted.push(`${describeRate('40-host rollout', rate)}; wall ${seconds.toFixed(1)} s`);
    assertWithinLimits(rate);
  });

  it('with throttling on: the same, every 429 retried once, never before Retry-After', async () => {
    const w = world('throttled');
    // Never more 429s in a row for one request than the SDK retries (3): the list three times,
    // eight of the new VMs' creations twice each.
    const faults: Fault[] = [
      {
        method: 'GET',
        path: '/hostPools/hp-throttled/sessionHosts\\?',
        status: 429,
        retryAfter: 2,
        times: 3,
      },
      ...[41, 42, 43, 44, 45, 46, 47, 48].map((n) => ({
        method: 'PUT',
        path: `/virtualMachines/avd-${n}\\?`,
        status: 429,
        retryAfter: 2,
        times: 2,
      })),
    ];
    const { run, seconds } = await rollout(w, faults);
    assertRolled(w, run);
    const rate = rateOf(run.state.requests);
    const retries = retriesOf(run.state.requests, 2);
    noted.push(
      `${describeRate('40-host rollout, throttled', rate, retries)}; wall ${seconds.toFixed(1)} s`,
    );
    assert.strictEqual(retries.throttled, 19, 'every injected 429 was met');
    assert.strictEqual(retries.early, 0, 'no retry before Retry-After');
    assert.deepStrictEqual(
      retries.retriesPer429.filter((n) => n !== 1),
      [],
      'each 429 retried exactly once',
    );
    assertWithinLimits(rate);
  });
});
