import * as assert from 'assert';
import { startSimulator } from '../sim';
import type { RunningSim } from '../sim';
import {
  byId,
  drainRequests,
  hostPoolScenario,
  hostsWithVms,
  imageOf,
  PoolWorld,
  runUpdateHostPool,
  same,
  TAGS,
  TARGET,
  vmCreations,
  vmsIn,
} from '../e2e/hostPoolFixtures';
import {
  answered,
  assertCancelledInWindow,
  assertKilled,
  interruptAt,
  KillPoint,
  Stop,
  tail,
} from './interrupt';

/**
 * Issue 16 §2 for UpdateHostPool on a Standard pool (two hosts, one per batch, a user on the first
 * who stays until signed out): the task stopped at four points (lease taken, the first new VM
 * being created, an old host draining, an old VM being deleted). Killed or cancelled, the same job
 * run again finishes: two hosts on the target, no VM created twice, no host drained twice. A
 * cancel ends Cancelled within the agent's window with the pool serving and the lease released.
 *
 * Automated pools (session host configurations) are not covered here: their path is being built
 * on branch auto-task.
 */
const STOPS: Stop[] = ['SIGKILL', 'cancel'];

const POINTS: Array<{ name: string; reached: (w: PoolWorld) => KillPoint['reached'] }> = [
  {
    name: 'lease taken, no VM created yet',
    reached: (w) => (s) => Boolean(byId(s.state(), w.pool)?.tags?.[TAGS.lease]),
  },
  {
    name: 'the first new VM being created',
    reached: (w) => (s) => vmCreations(s.state()).some((r) => r.path.includes(w.rg)),
  },
  {
    name: 'an old host draining',
    reached: (w) => (s) => drainRequests(s.state()).some((r) => r.path.includes(w.pool)),
  },
  {
    name: 'an old VM being deleted',
    reached: (w) => (s) =>
      answered(s.state(), 'DELETE', /\/virtualmachines\/avd-[01]$/).some((r) =>
        r.path.includes(w.rg),
      ),
  },
];

const worlds = STOPS.flatMap((stop) =>
  POINTS.map(
    (_, i) =>
      new PoolWorld({
        key: `${stop === 'SIGKILL' ? 'k' : 'c'}${i}`,
        hosts: 2,
        sessions: [{ host: 0, user: 'ada@contoso.com' }],
      }),
  ),
);

describe('hardening: UpdateHostPool (Standard) killed or cancelled at each point', function () {
  this.timeout(180_000);
  let sim: RunningSim;
  const noted: string[] = [];
  before(async () => {
    sim = await startSimulator({ scenario: hostPoolScenario(worlds) });
  });
  after(async () => {
    console.log(noted.map((n) => `      ${n}`).join('\n'));
    await sim?.stop();
  });

  STOPS.forEach((stop, k) =>
    POINTS.forEach((p, i) => {
      const world = worlds[k * POINTS.length + i];
      const point: KillPoint = { name: p.name, reached: p.reached(world) };
      const title =
        stop === 'SIGKILL'
          ? `SIGKILL while ${p.name}; the same job again: 2 hosts on the target, no VM ` +
            'created twice, no host drained twice'
          : `cancel while ${p.name}: Cancelled in the agent's window, the pool serving, the ` +
            'lease released; the same job again finishes';
      it(title, async () => {
        const inputs = world.inputs({ batchSize: '1' });
        const from = sim.state().requests.length;
        const stopped = await interruptAt(sim, point, stop, (o) =>
          runUpdateHostPool(sim, inputs, o),
        );
        if (stop === 'SIGKILL') assertKilled(stopped, point);
        else {
          assertCancelledInWindow(stopped, point);
          noted.push(`cancel, ${p.name}: Cancelled ${stopped.endedAfterMs} ms after SIGINT`);
          const s = stopped.run.state;
          assert.strictEqual(byId(s, world.pool)?.tags?.[TAGS.lease], undefined, 'lease released');
          const serving = hostsWithVms(s, world).filter(
            ({ host }) =>
              host.properties.status === 'Available' && host.properties.allowNewSession !== false,
          );
          assert.ok(serving.length >= 1, `the pool serves: ${tail(stopped.run)}`);
        }

        const again = await runUpdateHostPool(sim, inputs);
        assert.strictEqual(again.result, 'Succeeded', tail(again));
        const hosts = hostsWithVms(again.state, world);
        assert.strictEqual(hosts.length, 2, hosts.map((h) => h.host.name).join(', '));
        for (const { host, vm } of hosts) {
          assert.strictEqual(host.properties.status, 'Available', host.name);
          assert.ok(vm && same(imageOf(vm), TARGET), `${host.name} runs the target`);
        }
        assert.strictEqual(vmsIn(again.state, world.rg).length, 2);
        const created = vmCreations(again.state, from).filter((r) => r.path.includes(world.rg));
        assert.strictEqual(created.length, 2, created.map((r) => r.path).join('\n'));
        const drains = drainRequests(again.state, from).map((r) => r.path.split('?')[0]);
        for (const name of world.originalVms) {
          const host = world.sessionHost(name).toLowerCase();
          const n = drains.filter((d) => d.toLowerCase() === host).length;
          assert.strictEqual(n, 1, `${name} drained once`);
        }
        assert.strictEqual(byId(again.state, world.pool)?.tags?.[TAGS.lease], undefined);
      });
    }),
  );
});
