import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { RunResult } from '../../scripts/runner/runner';
import type { RunningSim, StateDump } from '../sim';
import {
  byId,
  DOMAIN,
  drainRequests,
  EXCLUSION_TAG,
  hostsWithVms,
  imageOf,
  logTail,
  JOIN_USER,
  OU_PATH,
  PoolWorld,
  runUpdateHostPool,
  same,
  sessionHostsOf,
  TAGS,
  tagsSentFor,
  TARGET,
  text,
  vmCreations,
  vmsIn,
  withHostPoolSim,
  withoutProtectedSettings,
} from './hostPoolFixtures';

/**
 * UpdateHostPool's safety through the runner against the simulator (issue 12's Done-when): secrets
 * stay secret, an unhealthy canary puts things back, a killed run resumes with no extra host and no
 * host drained twice, and a second rollout is refused while one runs.
 */

/** Every value found under a `protectedSettings` key in the bodies the task sent. */
function protectedValues(state: StateDump): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (v: unknown, inProtected: boolean, key: string) => {
    if (typeof v === 'string' && inProtected) found.set(key, [...(found.get(key) ?? []), v]);
    else if (v && typeof v === 'object')
      for (const [k, child] of Object.entries(v))
        walk(child, inProtected || k === 'protectedSettings', inProtected ? k : key);
  };
  for (const r of state.requests) walk(r.body, false, '');
  return found;
}

/** Resolves once `check` holds on the simulator's state (polled every 100 ms). */
async function until(sim: RunningSim, check: (s: StateDump) => boolean, what: string) {
  const deadline = Date.now() + 60_000;
  while (!check(sim.state())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const setSecretLines = (r: RunResult) =>
  r.stdout.split('\n').filter((l) => l.startsWith('##vso[task.setsecret]'));

describe('e2e: UpdateHostPool keeps secrets, puts failures back, resumes', function () {
  this.timeout(120_000);

  it(
    'Done-when 2: an AD-joined pool rolls out with the join password as a secret variable; the ' +
      'password and the token are in no property outside protectedSettings, no tag, no output, ' +
      'no file left in the agent temp folder, and the token is never printed',
    async () => {
      // The pool's token expires within 2 hours, so the rollout makes its own (and deletes it).
      const world = new PoolWorld({
        key: 'ad',
        hosts: 2,
        join: 'activeDirectory',
        tokenHours: 0.5,
      });
      const password = `J0in!${Math.random().toString(36).slice(2)}`;
      await withHostPoolSim([world], async (sim) => {
        const run = await runUpdateHostPool(
          sim,
          world.inputs({
            batchSize: '2',
            joinType: 'activeDirectory',
            domain: DOMAIN,
            ouPath: OU_PATH,
            domainJoinUser: JOIN_USER,
            domainJoinPassword: '$(joinPassword)',
          }),
          { secretVariables: { joinPassword: password }, keepTempDirectory: true },
        );
        assert.strictEqual(run.result, 'Succeeded', logTail(run));
        const after = hostsWithVms(run.state, world);
        assert.strictEqual(after.length, 2);
        for (const { host, vm } of after) {
          assert.strictEqual(host.properties.status, 'Available');
          assert.ok(same(imageOf(vm!), TARGET));
          assert.ok(host.name.endsWith(`.${DOMAIN}`), `${host.name} is domain-joined`);
        }

        // What the task sent in protectedSettings: the password to the join extension, the token
        // to the AVD agent's DSC extension.
        const secrets = protectedValues(run.state);
        assert.deepStrictEqual(secrets.get('Password'), [password, password]);
        const tokens = [...new Set(secrets.get('RegistrationInfoToken') ?? [])];
        assert.ok(tokens.length >= 1, 'the new hosts got a registration token');
        assert.ok(!tokens.includes(world.token!), 'a token of its own, not the expiring one');
        for (const token of tokens)
          assert.ok(
            setSecretLines(run).some((l) => l.includes(token)),
            'the token is marked secret',
          );

        for (const [what, value] of [
          ['password', password],
          ...tokens.map((t) => ['token', t]),
          ['expiring token', world.token!],
        ]) {
          assert.ok(!text(run.state.resources).includes(value), `${what} in no resource or tag`);
          for (const r of run.state.requests)
            assert.ok(
              !text(withoutProtectedSettings(r.body)).includes(value),
              `${what} outside protectedSettings in ${r.method} ${r.path}`,
            );
          assert.ok(!text(run.outputs).includes(value), `${what} in no output`);
          assert.ok(!text(run.variables).includes(value), `${what} in no variable`);
        }
        for (const token of tokens)
          assert.ok(
            !run.stdout
              .split('\n')
              .filter((l) => !l.startsWith('##vso[task.setsecret]'))
              .some((l) => l.includes(token)),
            'the token is never printed',
          );
        // Files left in the agent's temp folder (the run summary is one) hold neither.
        const left = run.tempFilesLeft.map((f) => fs.readFileSync(path.join(run.tempDirectory, f)));
        fs.rmSync(run.tempDirectory, { recursive: true, force: true });
        for (const [i, content] of left.entries())
          for (const value of [password, ...tokens, world.token!])
            assert.ok(!content.includes(value), `a secret in ${run.tempFilesLeft[i]}`);

        // The token it made is deleted when the rollout ends; the lease is released.
        const pool = byId(run.state, world.pool);
        assert.strictEqual(pool?.tags?.[TAGS.token], undefined);
        assert.strictEqual(pool?.tags?.[TAGS.lease], undefined);
        assert.ok(
          run.state.requests.some(
            (r) =>
              r.method === 'PATCH' &&
              same(r.path.split('?')[0], world.pool) &&
              /^delete$/i.test(r.body?.properties?.registrationInfo?.registrationTokenOperation),
          ),
          'the token the rollout made is deleted',
        );
      });
    },
  );

  it(
    'Done-when 3: the canary stays Unavailable: the task fails after healthTimeout naming it ' +
      'and its status; the old host serves again; the new VM is gone',
    async () => {
      const world = new PoolWorld({ key: 'canary', hosts: 2, vmManagedParts: true });
      await withHostPoolSim(
        [world],
        async (sim) => {
          const run = await runUpdateHostPool(sim, world.inputs({ healthTimeout: '5s' }));
          assert.strictEqual(run.result, 'Failed', logTail(run));
          assert.match(run.message ?? '', /avd-2/);
          assert.match(run.message ?? '', /Unavailable/);
          assert.ok(run.durationMs >= 5_000, `failed after ${run.durationMs} ms`);
          assert.strictEqual(run.outputs.rolloutState, 'Failed');

          // The new VM (and its VM-managed NIC and disk) and its session host are gone.
          assert.deepStrictEqual(
            vmsIn(run.state, world.rg)
              .map((v) => v.name)
              .sort(),
            world.originalVms,
          );
          assert.ok(
            !run.state.resources.some((r) => /\/avd-2[^/]*$/i.test(r.id)),
            run.state.resources
              .filter((r) => /avd-2/i.test(r.id))
              .map((r) => r.id)
              .join('\n'),
          );
          // The old hosts serve: new sessions allowed, not excluded from autoscale, not drained.
          const hosts = sessionHostsOf(run.state, world.pool);
          assert.strictEqual(hosts.length, 2);
          for (const h of hosts) assert.strictEqual(h.properties.allowNewSession, true, h.name);
          for (const name of world.originalVms) {
            const tags = byId(run.state, world.vm(name))?.tags ?? {};
            assert.strictEqual(tags[EXCLUSION_TAG], undefined, `${name}: ${text(tags)}`);
            assert.strictEqual(tags[TAGS.drained], undefined, `${name}: ${text(tags)}`);
          }
          assert.strictEqual(byId(run.state, world.pool)?.tags?.[TAGS.lease], undefined);
        },
        { sessionHostBehaviour: [{ vmName: '^avd-2$', status: 'Unavailable' }] },
      );
    },
  );

  it(
    'Done-when 3, maxUnavailable 1: the old host drained before its unhealthy replacement ' +
      'serves again (drain lifted, exclusion tag removed); the new VM is gone',
    async () => {
      const world = new PoolWorld({ key: 'canary1', hosts: 2, vmManagedParts: true });
      await withHostPoolSim(
        [world],
        async (sim) => {
          const run = await runUpdateHostPool(
            sim,
            world.inputs({ healthTimeout: '4s', maxUnavailable: '1' }),
          );
          assert.strictEqual(run.result, 'Failed', logTail(run));
          assert.match(run.message ?? '', /avd-2/);
          assert.match(run.message ?? '', /UpgradeFailed/);
          // One old host was drained early, and put back.
          const drained = drainRequests(run.state).map((r) => r.path.split('?')[0].toLowerCase());
          assert.strictEqual(drained.length, 1, drained.join('\n'));
          const [vmName] = world.originalVms.filter(
            (n) => drained[0] === world.sessionHost(n).toLowerCase(),
          );
          assert.ok(vmName, drained[0]);
          assert.ok(
            tagsSentFor(run.state, world.vm(vmName)).some(
              (t) => t[EXCLUSION_TAG] === TAGS.exclusionValue,
            ),
            'excluded from autoscale while drained',
          );
          for (const h of sessionHostsOf(run.state, world.pool))
            assert.strictEqual(h.properties.allowNewSession, true, h.name);
          for (const name of world.originalVms) {
            const tags = byId(run.state, world.vm(name))?.tags ?? {};
            assert.strictEqual(tags[EXCLUSION_TAG], undefined, `${name}: ${text(tags)}`);
            assert.strictEqual(tags[TAGS.drained], undefined, `${name}: ${text(tags)}`);
          }
          assert.ok(!run.state.resources.some((r) => /\/avd-2[^/]*$/i.test(r.id)));
          assert.strictEqual(byId(run.state, world.pool)?.tags?.[TAGS.lease], undefined);
        },
        { sessionHostBehaviour: [{ vmName: '^avd-2$', status: 'UpgradeFailed', afterMinutes: 1 }] },
      );
    },
  );

  it(
    'Done-when 4: SIGKILL after the first batch’s new VMs exist, then the same job again: 4 ' +
      'hosts, no extra VM ever created, no host drained twice',
    async () => {
      const world = new PoolWorld({
        key: 'kill',
        hosts: 4,
        sessions: [{ host: 0, user: 'ada@contoso.com', endsMinutesAfterMessage: 2 }],
      });
      await withHostPoolSim([world], async (sim) => {
        const kill = new AbortController();
        const first = runUpdateHostPool(sim, world.inputs({ batchSize: '2' }), {
          kill: kill.signal,
        });
        await until(
          sim,
          (s) => vmCreations(s).filter((r) => r.path.includes(world.rg)).length >= 2,
          'the first batch’s two VMs are created',
        );
        kill.abort();
        const killed = await first;
        assert.strictEqual(killed.result, undefined, 'killed before it reported a result');

        const again = await runUpdateHostPool(sim, world.inputs({ batchSize: '2' }));
        assert.strictEqual(again.result, 'Succeeded', logTail(again));
        const after = hostsWithVms(again.state, world);
        assert.strictEqual(after.length, 4);
        for (const { host, vm } of after) {
          assert.strictEqual(host.properties.status, 'Available');
          assert.ok(same(imageOf(vm!), TARGET));
        }
        assert.strictEqual(vmsIn(again.state, world.rg).length, 4);

        const created = vmCreations(again.state).map((r) => r.path.split('?')[0]);
        assert.strictEqual(created.length, 4, `VMs created over both runs:\n${created.join('\n')}`);
        const drains = drainRequests(again.state).map((r) => r.path.split('?')[0].toLowerCase());
        for (const name of world.originalVms) {
          const host = world.sessionHost(name).toLowerCase();
          assert.strictEqual(drains.filter((p) => p === host).length, 1, `${name} drained once`);
          const drainedValues = new Set(
            tagsSentFor(again.state, world.vm(name))
              .map((t) => t[TAGS.drained])
              .filter(Boolean),
          );
          assert.strictEqual(drainedValues.size, 1, `${name}: one drain start`);
        }
      });
    },
  );

  it(
    'Done-when 4: SIGKILL while the first new VM waits for its join extension, then the same ' +
      'job again: it finishes that VM and the rollout',
    async () => {
      const world = new PoolWorld({ key: 'kill2', hosts: 2 });
      await withHostPoolSim(
        [world],
        async (sim) => {
          const kill = new AbortController();
          const first = runUpdateHostPool(sim, world.inputs(), { kill: kill.signal });
          await until(
            sim,
            (s) => sessionHostsOf(s, world.pool).some((h) => /avd-2/.test(h.id)),
            'the new VM is a session host',
          );
          kill.abort();
          await first;
          const again = await runUpdateHostPool(sim, world.inputs());
          assert.strictEqual(again.result, 'Succeeded', logTail(again));
          assert.strictEqual(vmCreations(again.state).length, 2);
          for (const { vm } of hostsWithVms(again.state, world))
            assert.ok(same(imageOf(vm!), TARGET));
        },
        {
          faults: [{ method: 'PUT', path: '/avd-2/extensions/AADLoginForWindows', delayMs: 8_000 }],
        },
      );
    },
  );

  /**
   * A second rollout of the pool, by another run, started once `ready` holds during the first:
   * refused naming the first, writing nothing of its own; the first then completes.
   */
  async function refusedWhileRunning(
    world: PoolWorld,
    ready: (s: StateDump) => boolean,
    faults: Parameters<typeof withHostPoolSim>[2] = {},
  ) {
    await withHostPoolSim(
      [world],
      async (sim) => {
        const first = runUpdateHostPool(sim, world.inputs());
        await until(sim, ready, 'the first run is under way');
        const second = await runUpdateHostPool(sim, world.inputs(), {
          vars: { 'Build.BuildId': '2002', 'System.JobId': '0e1d2c3b-4a59-4687-9f8e-7d6c5b4a3928' },
        });
        const done = await first;
        const firstUrl = `${sim.info.collectionUri}simproject/_build/results?buildId=1001`;
        assert.strictEqual(second.result, 'Failed', logTail(second));
        assert.ok((second.message ?? '').includes(firstUrl), logTail(second));
        assert.ok(
          !second.state.requests.some((r) => text(r.body).includes('buildId=2002')),
          'the refused run wrote nothing of its own',
        );
        assert.strictEqual(done.result, 'Succeeded', logTail(done));
        assert.strictEqual(done.outputs.rolloutState, 'Completed');
      },
      faults,
    );
  }

  it(
    'Done-when 4: a second rollout while the first runs is refused, naming it, and writes ' +
      'nothing of its own',
    () => {
      const world = new PoolWorld({
        key: 'lease',
        hosts: 2,
        sessions: [{ host: 0, user: 'ada@contoso.com', endsMinutesAfterMessage: 600 }],
      });
      return refusedWhileRunning(world, (s) => Boolean(byId(s, world.pool)?.tags?.[TAGS.lease]));
    },
  );

  it(
    'Done-when 4: a second rollout is refused naming the first even while the first’s new VM ' +
      'is a session host still waiting for its join extension',
    () => {
      const world = new PoolWorld({ key: 'lease2', hosts: 2 });
      return refusedWhileRunning(
        world,
        (s) => sessionHostsOf(s, world.pool).some((h) => /avd-2/.test(h.id)),
        {
          // The first run's join extension on its new VM takes 8 s to be accepted.
          faults: [{ method: 'PUT', path: '/avd-2/extensions/AADLoginForWindows', delayMs: 8_000 }],
        },
      );
    },
  );
});
