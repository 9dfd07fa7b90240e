import * as assert from 'assert';
import { runTask } from '../../scripts/runner/runner';
import { SIM_IDS, startSimulator, StateDump } from '../sim';
import type { RunningSim, Scenario } from '../sim';
import {
  answered,
  assertCancelledInWindow,
  assertKilled,
  created,
  inFlight,
  interruptAt,
  KillPoint,
  Stop,
  tail,
  until,
} from './interrupt';

/**
 * Issue 16 §2 for DistributeToGallery: publishing a managed image into a gallery the task creates,
 * stopped at four points (the gallery being created, the image definition being created, the
 * version being created, replication under way). Killed or cancelled, the same job run again
 * finishes with one gallery, one definition and one version; a cancel ends Cancelled within the
 * agent's window and leaves nothing half-made (no operation left failed).
 */
const SUB = `/subscriptions/${SIM_IDS.subscriptionId}`;
const rgId = (rg: string) => `${SUB}/resourceGroups/${rg}`;

const POINTS: KillPoint[] = [
  {
    name: 'the gallery being created',
    reached: (s) => answered(s.state(), 'PUT', /\/galleries\/golden$/).length > 0,
  },
  {
    name: 'the image definition being created',
    reached: (s) => answered(s.state(), 'PUT', /\/galleries\/golden\/images\/win11$/).length > 0,
  },
  {
    name: 'the version being created',
    reached: (s) => answered(s.state(), 'PUT', /\/images\/win11\/versions\/[^/]+$/).length > 0,
  },
  { name: 'replication under way', reached: (s) => /Waiting for replication/.test(s.output) },
];
const STOPS: Stop[] = ['SIGKILL', 'cancel'];
const groupOf = (stop: Stop, i: number) => `rg-${stop === 'SIGKILL' ? 'kill' : 'cancel'}-${i}`;

function scenario(): Scenario {
  const groups = STOPS.flatMap((stop) => POINTS.map((_, i) => groupOf(stop, i)));
  return {
    // A region replicates in 0.9 s (180 s nominal); five regions keep the task waiting a while.
    timeScale: 0.005,
    resources: groups.flatMap((rg) => [
      { id: rgId(rg), type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
      {
        id: `${rgId(rg)}/providers/Microsoft.Compute/images/img-1`,
        type: 'Microsoft.Compute/images',
        location: 'westeurope',
        properties: {
          hyperVGeneration: 'V2',
          storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
        },
      },
    ]),
  };
}

const inputs = (rg: string) => ({
  source: `${rgId(rg)}/providers/Microsoft.Compute/images/img-1`,
  galleryResourceGroup: rg,
  galleryName: 'golden',
  imageDefinition: 'win11',
  targetRegions: 'westeurope, eastus, northeurope, uksouth, swedencentral',
  pollInterval: '500ms',
});

const under = (s: StateDump, rg: string) =>
  s.resources.filter((r) => r.id.toLowerCase().startsWith(`${rgId(rg)}/`.toLowerCase()));
const ofType = (s: StateDump, rg: string, type: string) =>
  under(s, rg).filter((r) => r.type === `Microsoft.Compute/${type}`);

describe('hardening: DistributeToGallery killed or cancelled at each point', function () {
  this.timeout(180_000);
  let sim: RunningSim;
  const noted: string[] = [];
  before(async () => {
    sim = await startSimulator({ scenario: scenario() });
  });
  after(async () => {
    console.log(noted.map((n) => `      ${n}`).join('\n'));
    await sim?.stop();
  });

  const run = (rg: string, o: Parameters<Parameters<typeof interruptAt>[3]>[0] = {}) =>
    runTask({ task: 'DistributeToGallery', sim, inputs: inputs(rg), ...o });

  for (const stop of STOPS)
    POINTS.forEach((point, i) => {
      const title =
        stop === 'SIGKILL'
          ? `SIGKILL while ${point.name}; the same job again: one gallery, definition, version`
          : `cancel while ${point.name}: Cancelled in the agent's window, nothing half-made; ` +
            'the same job again: one gallery, definition, version';
      it(title, async () => {
        const rg = groupOf(stop, i);
        const from = sim.state().requests.length;
        const stopped = await interruptAt(sim, point, stop, (o) => run(rg, o));
        if (stop === 'SIGKILL') assertKilled(stopped, point);
        else {
          assertCancelledInWindow(stopped, point);
          noted.push(`cancel, ${point.name}: Cancelled ${stopped.endedAfterMs} ms after SIGINT`);
          // What Azure was doing when the task stopped finishes there; none of it failed.
          await until(
            sim,
            (s) => inFlight({ ...s, resources: under(s, rg) }).length === 0,
            'nothing in the group is being created any more',
          );
          const failed = under(sim.state(), rg).filter(
            (r) => r.properties?.provisioningState === 'Failed',
          );
          assert.deepStrictEqual(failed, [], 'nothing left failed');
        }

        const again = await run(rg);
        assert.strictEqual(again.result, 'Succeeded', tail(again));
        const s = { ...again.state, requests: again.state.requests.slice(from) };
        for (const [type, re] of [
          ['galleries', /\/galleries\/golden$/],
          ['galleries/images', /\/galleries\/golden\/images\/win11$/],
          ['galleries/images/versions', /\/images\/win11\/versions\/[^/]+$/],
        ] as const) {
          assert.strictEqual(ofType(s, rg, type).length, 1, `one of ${type}`);
          assert.strictEqual(created(s, re).length, 1, `${type} created once`);
        }
        const [version] = ofType(s, rg, 'galleries/images/versions');
        assert.strictEqual(version.id, again.outputs.imageVersionId);
        assert.strictEqual(version.properties.provisioningState, 'Succeeded');
      });
    });
});
