// Reading and planning against the simulator, in-process: the pool, its scaling plan, its hosts
// matched to VMs by resourceId, the reference template, the target image; and that none of it
// writes anything.
import * as assert from 'assert';
import { InputReader } from '../../../tasks/common/core/inputReader';
import { MemoryLogger } from '../../../tasks/common/core/logger';
import { readUpdateHostPoolParams } from '../../../tasks/common/hostpool/params';
import { readPool } from '../../../tasks/common/hostpool/read/pool';
import {
  prepareRollout,
  readPoolState,
  UpdateHostPoolOptions,
} from '../../../tasks/common/hostpool/updateHostPool';
import {
  DEFINITION,
  EXCLUSION_TAG,
  hostPoolScenario,
  PoolWorld,
  TARGET,
  withHostPoolSim,
  writes,
} from '../../e2e/hostPoolFixtures';
import { simAzureContext } from '../../e2e/simConnection';
import { RunningSim, startSimulator } from '../../sim';
import { PIPELINE } from '../../support/pipelineInfo';

function options(sim: RunningSim, inputs: Record<string, string>): UpdateHostPoolOptions {
  const reader = new InputReader({ get: (n) => inputs[n] || undefined, secret: () => undefined });
  return {
    azure: simAzureContext(sim.info),
    params: readUpdateHostPoolParams(reader),
    log: new MemoryLogger(),
    signal: new AbortController().signal,
    pipeline: PIPELINE,
  };
}

describe('host pool: read and plan against the simulator', function () {
  this.timeout(60_000);

  it('hosts by resourceId with sessions, the reference VM, scaling plan; no write', async () => {
    const world = new PoolWorld({
      key: 'read',
      hosts: 3,
      firstIndex: 4,
      sessions: [
        { host: 0, user: 'ada@contoso.com' },
        { host: 0, user: 'bob@contoso.com', state: 'Disconnected' },
        { host: 2, user: 'cy@contoso.com' },
      ],
    });
    await withHostPoolSim([world], async (sim) => {
      const o = options(sim, world.inputs({ batchSize: '2' }));
      const pool = await readPoolState(o);
      assert.strictEqual(pool.scalingPlan?.exclusionTag, EXCLUSION_TAG);
      assert.deepStrictEqual(pool.hosts.map((h) => [h.vm?.name, h.sessions]).sort(), [
        ['avd-4', 2],
        ['avd-5', 0],
        ['avd-6', 1],
      ]);
      // A definition resolves to its latest version, 1.0.2 here, which is only in eastus.
      await assert.rejects(
        prepareRollout(options(sim, world.inputs({ image: DEFINITION })), pool),
        /Input 'image': image version 1\.0\.2 is not replicated to westeurope.*action: replicate/,
      );
      const plan = await prepareRollout(o, pool);
      assert.strictEqual(plan.target.versionId, TARGET);
      assert.strictEqual(plan.template.subnetId.toLowerCase(), world.subnet.toLowerCase());
      assert.strictEqual(plan.template.securityType, 'TrustedLaunch');
      assert.strictEqual(plan.template.osDiskType, 'Premium_LRS');
      assert.strictEqual(plan.template.osDiskSizeGB, 128);
      assert.deepStrictEqual(plan.template.zones, ['1', '2']);
      assert.deepStrictEqual(plan.join, { type: 'entra', intuneEnroll: false });
      assert.deepStrictEqual(
        plan.batches.map((b) => b.old.map((h) => h.vm!.name)),
        [['avd-5'], ['avd-6', 'avd-4']],
      );
      assert.deepStrictEqual(
        plan.batches.flatMap((b) => b.create.map((n) => n.name)),
        ['avd-7', 'avd-8', 'avd-9'],
      );
      assert.deepStrictEqual(writes(sim.state()), []);
    });
  });

  it('a version as given is pinned; AD DS hosts with auto need the join password', async () => {
    const world = new PoolWorld({ key: 'adread', hosts: 1, join: 'activeDirectory' });
    await withHostPoolSim([world], async (sim) => {
      const pool = await readPoolState(options(sim, world.inputs()));
      await assert.rejects(
        prepareRollout(options(sim, world.inputs()), pool),
        /Input 'domainJoinPassword'.*AD DS-joined \(joinType auto\)/,
      );
      const plan = await prepareRollout(
        options(sim, world.inputs({ image: TARGET, domainJoinPassword: 'Join-Pa55!' })),
        pool,
      );
      assert.strictEqual(plan.target.versionId, TARGET);
      assert.strictEqual(plan.join.type, 'activeDirectory');
      assert.deepStrictEqual(writes(sim.state()), []);
    });
  });
  it('managementType (preview read): Automated, else Standard (absent); no write', async () => {
    const world = new PoolWorld({ key: 'automated', hosts: 1 });
    const standard = new PoolWorld({ key: 'standard', hosts: 1 });
    const scenario = hostPoolScenario([world, standard]);
    const pool = scenario.resources!.find((r) => r.id === world.pool) as {
      properties: Record<string, unknown>;
    };
    pool.properties.managementType = 'Automated';
    const sim = await startSimulator({ scenario });
    try {
      const read = (w: PoolWorld) => readPool({ ...options(sim, w.inputs()), ref: refOf(w) });
      assert.strictEqual((await read(world)).managementType, 'Automated');
      assert.strictEqual((await read(standard)).managementType, 'Standard');
      assert.deepStrictEqual(writes(sim.state()), []);
    } finally {
      await sim.stop();
    }
  });
});

const refOf = (w: PoolWorld) => ({ resourceGroup: w.rg.split('/').pop()!, name: w.poolName });
