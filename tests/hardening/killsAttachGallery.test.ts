import * as assert from 'assert';
import { SIM_IDS, startSimulator } from '../sim';
import type { RunningSim, Scenario, StateDump } from '../sim';
import {
  DEVCENTER,
  devBoxScenario,
  GALLERY,
  RG,
  ROLES,
  rolesOnGallery,
  runAttach,
  W365,
} from '../e2e/attachGalleryFixtures';
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
 * Issue 16 §2 for AttachGalleryToDevCenter (a dev center of its own per case, RBAC enforced): the
 * task stopped at three points (a role assignment on the gallery written, the gallery being
 * attached, the dev box definition being validated). Killed or cancelled, the same job run again
 * finishes with one Contributor assignment for the dev center, one Reader for Windows 365, one
 * attachment and one definition; a cancel ends Cancelled within the agent's window with nothing
 * half-made (no operation in flight or failed, no definition left unvalidated).
 */
const STOPS: Stop[] = ['SIGKILL', 'cancel'];
const DEFINITION = 'win11-8c32gb';

const POINTS: Array<{ name: string; reached: (dc: string) => KillPoint['reached'] }> = [
  {
    name: 'a role assignment on the gallery written',
    reached: () => (s) =>
      answered(s.state(), 'PUT', /\/galleries\/gal_devbox\/providers\/microsoft\.authorization\//)
        .length > 0,
  },
  {
    name: 'the gallery being attached',
    reached: (dc) => (s) =>
      answered(s.state(), 'PUT', new RegExp(`/devcenters/${dc}/galleries/gal_devbox$`)).length > 0,
  },
  {
    name: 'the dev box definition being validated',
    reached: (dc) => (s) =>
      answered(s.state(), 'PUT', new RegExp(`/devcenters/${dc}/devboxdefinitions/${DEFINITION}$`))
        .length > 0,
  },
];

const dcName = (stop: Stop, i: number) => `dc-${stop === 'SIGKILL' ? 'k' : 'c'}${i}`;
const principalOf = (stop: Stop, i: number) =>
  `dc000000-0000-4000-8000-0000000001${stop === 'SIGKILL' ? 'a' : 'c'}${i}`;

function scenario(): Scenario {
  const base = devBoxScenario();
  const devCenters = STOPS.flatMap((stop) =>
    POINTS.map((_, i) => ({
      id: `${DEVCENTER}/${dcName(stop, i)}`,
      type: 'Microsoft.DevCenter/devcenters',
      location: 'westeurope',
      identity: {
        type: 'SystemAssigned',
        principalId: principalOf(stop, i),
        tenantId: SIM_IDS.tenantId,
      },
      properties: {},
    })),
  );
  return { ...base, resources: [...base.resources!, ...devCenters] };
}

const under = (s: StateDump, prefix: string) =>
  s.resources.filter((r) => r.id.toLowerCase().startsWith(`${prefix}/`.toLowerCase()));

describe('hardening: AttachGalleryToDevCenter killed or cancelled at each point', function () {
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

  for (const stop of STOPS)
    POINTS.forEach((p, i) => {
      const dc = dcName(stop, i);
      const point: KillPoint = { name: p.name, reached: p.reached(dc) };
      const inputs = {
        devCenter: dc,
        resourceGroup: 'rg-devbox',
        gallery: GALLERY,
        image: 'win11-devbox',
        devBoxDefinition: DEFINITION,
      };
      const title =
        stop === 'SIGKILL'
          ? `SIGKILL while ${p.name}; the same job again: one of each role assignment, ` +
            'attachment and definition'
          : `cancel while ${p.name}: Cancelled in the agent's window, nothing half-made; the ` +
            'same job again: one of each';
      it(title, async () => {
        const from = sim.state().requests.length;
        const stopped = await interruptAt(sim, point, stop, (o) => runAttach(sim, inputs, o));
        if (stop === 'SIGKILL') assertKilled(stopped, point);
        else {
          assertCancelledInWindow(stopped, point);
          await until(
            sim,
            (s) => inFlight({ ...s, resources: under(s, RG) }).length === 0,
            'nothing in rg-devbox is being written any more',
          );
          const s = sim.state();
          const failed = under(s, RG).filter((r) => r.properties?.provisioningState === 'Failed');
          assert.deepStrictEqual(failed, [], 'nothing left failed');
          const definition = under(s, `${DEVCENTER}/${dc}/devboxdefinitions`)[0];
          noted.push(
            `cancel, ${p.name}: Cancelled ${stopped.endedAfterMs} ms after SIGINT; definition ` +
              (definition ? `left, ${definition.properties.imageValidationStatus}` : 'absent'),
          );
          if (definition)
            assert.strictEqual(
              definition.properties.imageValidationStatus,
              'Succeeded',
              'a definition left behind is a validated one',
            );
        }

        const again = await runAttach(sim, inputs);
        assert.strictEqual(again.result, 'Succeeded', tail(again));
        const s = again.state;
        const principal = principalOf(stop, i);
        assert.strictEqual(rolesOnGallery(s, principal, ROLES.contributor).length, 1);
        assert.strictEqual(rolesOnGallery(s, W365, ROLES.reader).length, 1);
        const since = { ...s, requests: s.requests.slice(from) };
        const grants = created(since, /\/roleassignments\/[^/]+$/).filter((q) =>
          JSON.stringify(q.body).includes(principal),
        );
        assert.strictEqual(grants.length, 1, 'the dev center granted once');
        assert.strictEqual(under(s, `${DEVCENTER}/${dc}/galleries`).length, 1, 'one attachment');
        const definitions = under(s, `${DEVCENTER}/${dc}/devboxdefinitions`);
        assert.strictEqual(definitions.length, 1, 'one definition');
        assert.strictEqual(definitions[0].properties.imageValidationStatus, 'Succeeded');
      });
    });
});
