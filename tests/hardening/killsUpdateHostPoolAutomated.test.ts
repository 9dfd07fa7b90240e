import * as assert from 'assert';
import { startSimulator } from '../sim';
import type { RunningSim } from '../sim';
import {
  AutomatedWorld,
  automatedScenario,
  bodiesOf,
  CONFIGURATION,
  CONTROL,
  hostImages,
  INITIATE,
  PREVIEW_API,
  UPDATE_STATUS,
} from '../e2e/automatedPoolFixtures';
import { CURRENT, runUpdateHostPool, TARGET } from '../e2e/hostPoolFixtures';
import { armToken, rawRequest } from '../sim/testSupport';
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
 * Issue 16 §2 for UpdateHostPool on an Automated pool (a session host configuration; Azure's own
 * session host update, preview API): the task stopped at three points (the configuration pointed
 * at the image, Azure's update initiated, Azure's update replacing hosts). Killed, the same job run
 * again follows or starts the one update (one initiate) and ends with every host on the target;
 * cancelled, the task ends Cancelled within the agent's window, and an update it started is
 * cancelled in Azure (Cancel sent, status Canceled), or, when none was started yet, the
 * configuration names its earlier image again; the same job again then finishes.
 */
const STOPS: Stop[] = ['SIGKILL', 'cancel'];

const POINTS: Array<{ name: string; reached: (w: AutomatedWorld) => KillPoint['reached'] }> = [
  {
    name: 'the configuration pointed at the image',
    reached: (w) => (s) =>
      answered(s.state(), 'PATCH', /\/sessionhostconfigurations\/default$/).some((q) =>
        q.path.includes(w.pool),
      ),
  },
  {
    name: "Azure's update initiated",
    reached: (w) => (s) =>
      answered(s.state(), 'POST', /\/initiatesessionhostupdate$/).some((q) =>
        q.path.includes(w.pool),
      ),
  },
  {
    name: "Azure's update replacing hosts",
    reached: () => (s) => /Session host update: UpdatingSessionHosts/.test(s.output),
  },
];

// A signed-in user on each host makes every batch wait its log-off delay.
const worlds = STOPS.flatMap((stop) =>
  POINTS.map((_, i) => new AutomatedWorld(`a${stop === 'SIGKILL' ? 'k' : 'c'}${i}`, 2, [0, 1])),
);

describe('hardening: UpdateHostPool (Automated) killed or cancelled at each point', function () {
  this.timeout(180_000);
  let sim: RunningSim;
  const noted: string[] = [];
  before(async () => {
    sim = await startSimulator({ scenario: automatedScenario(worlds) });
  });
  after(async () => {
    console.log(noted.map((n) => `      ${n}`).join('\n'));
    await sim?.stop();
  });

  /** The configuration's image once no write of it is in progress. */
  const configuredImage = async (w: AutomatedWorld) => {
    for (;;) {
      const { properties: p } = (
        await rawRequest(sim, 'GET', `${w.pool}${CONFIGURATION}?api-version=${PREVIEW_API}`, {
          token: await armToken(sim),
        })
      ).body as {
        properties?: {
          provisioningState?: string;
          imageInfo?: { customInfo?: { resourceId?: string } };
        };
      };
      if (!/^(provisioning|updating|accepted)$/i.test(p?.provisioningState ?? ''))
        return p?.imageInfo?.customInfo?.resourceId;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const updateStatus = async (w: AutomatedWorld) =>
    (
      (
        await rawRequest(sim, 'GET', `${w.pool}${UPDATE_STATUS}?api-version=${PREVIEW_API}`, {
          token: await armToken(sim),
        })
      ).body as { status?: string }
    ).status;

  STOPS.forEach((stop, k) =>
    POINTS.forEach((p, i) => {
      const world = worlds[k * POINTS.length + i];
      const point: KillPoint = { name: p.name, reached: p.reached(world) };
      const title =
        stop === 'SIGKILL'
          ? `SIGKILL while ${p.name}; the same job again: one update, every host on the target`
          : `cancel while ${p.name}: Cancelled in the agent's window, Azure's update cancelled; ` +
            'the same job again finishes';
      it(title, async () => {
        const inputs = world.inputs({ batchSize: '1', drainTimeout: '60m' });
        const stopped = await interruptAt(sim, point, stop, (o) =>
          runUpdateHostPool(sim, inputs, o),
        );
        if (stop === 'SIGKILL') assertKilled(stopped, point);
        else {
          assertCancelledInWindow(stopped, point);
          const started = bodiesOf(stopped.run.state, world.pool, 'POST', INITIATE).length > 0;
          const status = await updateStatus(world);
          noted.push(
            `cancel, ${p.name}: Cancelled ${stopped.endedAfterMs} ms after SIGINT; update ` +
              (started ? `started, now ${status}` : 'not started'),
          );
          if (started) {
            const cancels = bodiesOf(stopped.run.state, world.pool, 'POST', CONTROL);
            assert.ok(
              cancels.some((c) => c.action === 'Cancel'),
              `Cancel sent: ${tail(stopped.run)}`,
            );
            assert.strictEqual(status, 'Canceled', "Azure's update cancelled");
          } else
            assert.strictEqual(
              (await configuredImage(world))?.toLowerCase(),
              CURRENT.toLowerCase(),
              `no update started: the configuration names its image again: ${tail(stopped.run)}`,
            );
        }

        const again = await runUpdateHostPool(sim, inputs);
        assert.strictEqual(again.result, 'Succeeded', tail(again));
        const s = again.state;
        const initiated = bodiesOf(s, world.pool, 'POST', INITIATE).length;
        assert.strictEqual(
          initiated,
          stop === 'SIGKILL' ? 1 : bodiesOf(s, world.pool, 'POST', CONTROL).length ? 2 : 1,
          'one update (a second only after the first was cancelled)',
        );
        assert.ok(bodiesOf(s, world.pool, 'PATCH', CONFIGURATION).length >= 1);
        assert.deepStrictEqual(
          hostImages(s, world.pool).map((h) => h.image?.toLowerCase()),
          [TARGET, TARGET].map((t) => t.toLowerCase()),
          'two hosts, both on the target',
        );
      });
    }),
  );
});
