import * as assert from 'assert';
import {
  byId,
  CURRENT,
  disksIn,
  EXCLUSION_TAG,
  GEN1_VERSION,
  hostsWithVms,
  withHostPoolSim,
  same,
  imageOf,
  logTail,
  nicsIn,
  NOT_IN_REGION,
  PoolWorld,
  runUpdateHostPool,
  TAGS,
  tagsSentFor,
  TARGET,
  userSessionEvents,
  vmsIn,
  writes,
} from './hostPoolFixtures';

/**
 * UpdateHostPool through the runner (the bundle, as an agent runs it) against the simulator: issue
 * 12's Done-when lines for a rollout, its dry run, the production step of a classic release, and
 * bad input. Each test has a simulator of its own, so the request journal is that test's alone.
 * Nominal times are × 0.005 (a host becomes Available after 4 nominal minutes: 1.2 s); the task's
 * own durations (poll, drain, health timeout) are wall-clock seconds.
 */

describe('e2e: UpdateHostPool rolls a pool onto a new image', function () {
  this.timeout(120_000);

  it(
    'Done-when 1: 4 Entra-joined hosts, users on 3, a scaling plan, batchSize 2: 4 Available ' +
      'hosts on 1.0.1, nobody signed out before drainTimeout, every user messaged, old VMs, NICs ' +
      'and disks gone, the exclusion tag on each drained host and on no remaining one; a second ' +
      'run writes nothing',
    async () => {
      const world = new PoolWorld({
        key: 'entra',
        hosts: 4,
        sessions: [
          { host: 0, user: 'ada@contoso.com', endsMinutesAfterMessage: 1 },
          { host: 1, user: 'grace@contoso.com', endsMinutesAfterMessage: 3 },
          { host: 1, user: 'alan@contoso.com', state: 'Disconnected' },
          { host: 2, user: 'edsger@contoso.com', endsMinutesAfterMessage: 600 },
        ],
      });
      const drainTimeoutMs = 6_000;
      await withHostPoolSim([world], async (sim) => {
        const run = await runUpdateHostPool(sim, world.inputs({ batchSize: '2' }));
        assert.strictEqual(run.result, 'Succeeded', logTail(run));
        assert.ok(same(run.outputs.imageVersionId, TARGET), run.outputs.imageVersionId);

        // 4 Available hosts, each on a VM from 1.0.1; none of the old ones.
        const after = hostsWithVms(run.state, world);
        assert.strictEqual(after.length, 4, after.map((h) => h.host.name).join(', '));
        for (const { host, vm } of after) {
          assert.strictEqual(host.properties.status, 'Available', host.name);
          assert.ok(vm, `the VM of ${host.name} exists`);
          assert.ok(same(imageOf(vm), TARGET), `${vm.name} runs ${imageOf(vm)}`);
          assert.ok(!world.originalVms.includes(vm.name), `${vm.name} is new`);
        }
        assert.deepStrictEqual(
          {
            hostsAdded: run.outputs.hostsAdded,
            hostsRemoved: run.outputs.hostsRemoved,
            hostsKept: run.outputs.hostsKept,
            rolloutState: run.outputs.rolloutState,
          },
          { hostsAdded: '4', hostsRemoved: '4', hostsKept: '0', rolloutState: 'Completed' },
        );

        // Old VMs, NICs and disks gone; nothing left that no VM uses.
        const vms = vmsIn(run.state, world.rg).map((v) => v.name);
        assert.deepStrictEqual(
          vms.filter((n) => world.originalVms.includes(n)),
          [],
        );
        assert.strictEqual(vms.length, 4, vms.join(', '));
        const old = (name: string) => world.originalVms.some((v) => name.startsWith(`${v}-`));
        assert.deepStrictEqual(
          nicsIn(run.state, world.rg)
            .map((n) => n.name)
            .filter(old),
          [],
        );
        assert.deepStrictEqual(
          disksIn(run.state, world.rg)
            .map((d) => d.name)
            .filter(old),
          [],
        );
        for (const d of disksIn(run.state, world.rg))
          assert.ok(d.managedBy, `disk ${d.name} belongs to a VM`);

        // Each drained host carried the exclusion tag and the drained time (as sent); no
        // remaining host carries the exclusion tag.
        const drainedAt = new Map<string, number>();
        for (const name of world.originalVms) {
          const sent = tagsSentFor(run.state, world.vm(name));
          assert.ok(
            sent.some((t) => t[EXCLUSION_TAG] === TAGS.exclusionValue),
            `${name}: the exclusion tag was written (${JSON.stringify(sent)})`,
          );
          const drained = sent.map((t) => t[TAGS.drained]).find(Boolean);
          assert.ok(drained && !Number.isNaN(Date.parse(drained)), `${name} drained: ${drained}`);
          drainedAt.set(name, Date.parse(drained));
        }
        for (const { vm } of after)
          assert.strictEqual(vm?.tags?.[EXCLUSION_TAG], undefined, `${vm?.name} not excluded`);

        // Every signed-in user messaged; nobody signed out before drainTimeout from their host's
        // drain; the users who left by themselves were not signed out.
        const events = userSessionEvents(run.state);
        const users = ['ada', 'grace', 'alan', 'edsger'].map((u) => `${u}@contoso.com`);
        for (const user of users)
          assert.ok(
            events.some((e) => e.event === 'message' && e.userPrincipalName === user),
            `${user} was messaged: ${JSON.stringify(events)}`,
          );
        const signedOut = events.filter((e) => e.event === 'signOut');
        assert.deepStrictEqual(
          signedOut.map((e) => e.userPrincipalName).sort(),
          ['alan@contoso.com', 'edsger@contoso.com'],
          'only the users still signed in at the drain timeout are signed out',
        );
        for (const e of signedOut) {
          const vmName = world.originalVms.find((v) => e.sessionHost.split('.')[0] === v);
          assert.ok(vmName, `${e.sessionHost} is one of the old hosts`);
          const since = e.time - drainedAt.get(vmName)!;
          assert.ok(
            since >= drainTimeoutMs - 250,
            `${e.userPrincipalName} signed out ${since} ms after the drain of ${vmName} began`,
          );
        }

        // The lease is released; the pool's own 48-hour token was reused (no token created).
        const pool = byId(run.state, world.pool);
        assert.strictEqual(pool?.tags?.[TAGS.lease], undefined, JSON.stringify(pool?.tags));
        assert.strictEqual(pool?.tags?.[TAGS.token], undefined);

        // A second run: nothing to replace, nothing written.
        const before = run.state.requests.length;
        const again = await runUpdateHostPool(sim, world.inputs({ batchSize: '2' }));
        assert.strictEqual(again.result, 'Succeeded', logTail(again));
        assert.deepStrictEqual(writes(again.state, before), []);
        assert.strictEqual(again.outputs.hostsAdded, '0');
        assert.strictEqual(again.outputs.hostsKept, '4');
      });
    },
  );

  it('Done-when 5: action plan prints the plan and writes nothing', async () => {
    const world = new PoolWorld({
      key: 'plan',
      hosts: 3,
      sessions: [{ host: 1, user: 'ada@contoso.com' }],
    });
    await withHostPoolSim([world], async (sim) => {
      const run = await runUpdateHostPool(sim, world.inputs({ action: 'plan', batchSize: '2' }));
      assert.strictEqual(run.result, 'Succeeded', logTail(run));
      assert.strictEqual(run.outputs.rolloutState, 'Planned');
      assert.deepStrictEqual(writes(run.state), []);
      // The hosts to replace, the new names (one above the highest index), the target, and the
      // reference VM's other extension (listed, not copied).
      for (const name of [...world.originalVms, 'avd-3', 'avd-4', 'avd-5'])
        assert.match(run.stdout, new RegExp(`\\b${name}\\b`), `the plan names ${name}`);
      assert.ok(
        run.stdout.toLowerCase().includes(TARGET.toLowerCase()) || /1\.0\.1/.test(run.stdout),
      );
      assert.match(run.stdout, /AzureMonitorWindowsAgent/);
      // Nothing changed: the hosts still run 1.0.0.
      for (const { vm } of hostsWithVms(run.state, world)) assert.ok(same(imageOf(vm!), CURRENT));
    });
  });

  it('the plan replaces hosts fewest sessions first and shows each host’s sessions', async () => {
    const world = new PoolWorld({
      key: 'order',
      hosts: 3,
      sessions: [
        { host: 0, user: 'ada@contoso.com' },
        { host: 0, user: 'grace@contoso.com' },
        { host: 1, user: 'alan@contoso.com' },
      ],
    });
    await withHostPoolSim([world], async (sim) => {
      const run = await runUpdateHostPool(sim, world.inputs({ action: 'plan' }));
      assert.strictEqual(run.result, 'Succeeded', logTail(run));
      // Batches of 1: avd-2 (no session), then avd-1 (1), then avd-0 (2).
      const order = [
        ...run.stdout.matchAll(/delete\s+host (avd-\d+) — batch (\d+)[^:]*: (\d+)/g),
      ].map(([, host, batch, sessions]) => `${batch}:${host}:${sessions}`);
      assert.deepStrictEqual(order, ['1:avd-2:0', '2:avd-1:1', '3:avd-0:2'], logTail(run));
    });
  });

  it(
    'Done-when 8: the production step of a classic release (System.HostType=release, ' +
      'Release.* variables) rolls the pool, its new hosts tagged with the release URL',
    async () => {
      const world = new PoolWorld({ key: 'prod', hosts: 2 });
      await withHostPoolSim([world], async (sim) => {
        const release = {
          'System.HostType': 'release',
          'System.StageName': '',
          'Release.ReleaseId': '57',
          'Release.ReleaseName': 'Release-57',
          'Release.DefinitionName': 'golden-image-release',
          'Release.DefinitionId': '3',
          'Release.EnvironmentName': 'Production',
          'Release.EnvironmentId': '12',
          'Release.DeploymentId': '88',
          'Release.AttemptNumber': '1',
          'Release.ReleaseWebUrl':
            `${sim.info.collectionUri}simproject/_release?releaseId=57` + '&_a=release-summary',
        };
        const run = await runUpdateHostPool(sim, world.inputs(), { vars: release });
        assert.strictEqual(run.result, 'Succeeded', logTail(run));
        assert.strictEqual(run.outputs.rolloutState, 'Completed');
        const after = hostsWithVms(run.state, world);
        assert.strictEqual(after.length, 2);
        const url = `${sim.info.collectionUri}simproject/_releaseProgress?releaseId=57`;
        for (const { vm } of after) {
          assert.ok(same(imageOf(vm!), TARGET));
          assert.strictEqual(vm?.tags?.[TAGS.run], url, JSON.stringify(vm?.tags));
        }
      });
    },
  );

  it(
    'Done-when 6: bad input, one clear message each and zero writes: no such pool, a Personal ' +
      'pool, an image not in the region, a Gen1 image for Trusted Launch, batchSize 0 or above ' +
      'the pool, AD join without a password, a namePrefix too long',
    async () => {
      const entra = new PoolWorld({ key: 'bad', hosts: 2 });
      const personal = new PoolWorld({ key: 'personal', hosts: 1, hostPoolType: 'Personal' });
      const ad = new PoolWorld({ key: 'badad', hosts: 1, join: 'activeDirectory' });
      await withHostPoolSim([entra, personal, ad], async (sim) => {
        const cases: [string, Record<string, string>, RegExp[]][] = [
          ['no such pool', entra.inputs({ hostPool: 'hp-nope' }), [/hostPool/, /hp-nope/]],
          ['a Personal pool', personal.inputs(), [/hostPool/, /Personal/]],
          [
            'an image not replicated to the region',
            entra.inputs({ image: NOT_IN_REGION }),
            [/westeurope|West Europe/i, /DistributeToGallery/, /replicate/],
          ],
          [
            'a Gen1 image for Trusted Launch hosts',
            entra.inputs({ image: GEN1_VERSION }),
            [/image/, /Trusted ?Launch/i, /V1|Gen ?1/i],
          ],
          ['batchSize 0', entra.inputs({ batchSize: '0' }), [/batchSize/]],
          ['batchSize above the pool', entra.inputs({ batchSize: '3' }), [/batchSize/, /2/]],
          ['AD join without a password', ad.inputs(), [/domainJoinPassword/]],
          [
            'a namePrefix too long',
            entra.inputs({ namePrefix: 'avd-westeurope-' }),
            [/namePrefix/, /15/],
          ],
        ];
        for (const [what, inputs, expected] of cases) {
          const before = sim.state().requests.length;
          const run = await runUpdateHostPool(sim, inputs);
          assert.strictEqual(run.result, 'Failed', `${what}: ${logTail(run)}`);
          for (const re of expected)
            assert.match(run.message ?? '', re, `${what}: ${logTail(run)}`);
          const errors = run.stdout
            .split('\n')
            .filter((l) => l.startsWith('##vso[task.issue type=error'));
          assert.strictEqual(errors.length, 1, `${what}: one error\n${logTail(run)}`);
          assert.deepStrictEqual(writes(run.state, before), [], `${what}: nothing written`);
        }
      });
    },
  );
});
