import * as assert from 'assert';
import type { StateDump } from '../sim';
import {
  inline,
  LINUX,
  runBuildImage,
  scenario,
  simulatorFor,
  templates,
} from '../e2e/buildImageFixtures';
import {
  answered,
  assertCancelledInWindow,
  assertKilled,
  created,
  interruptAt,
  KillPoint,
  tail,
  until,
} from './interrupt';

/**
 * Issue 16 §2 for BuildImage: the task stopped at four points of a build (its template being
 * created, its run just started, customising, distributing). Killed (SIGKILL), the same job run
 * again finishes with one template, one run and one image version. Cancelled (SIGINT, SIGTERM
 * 7.5 s later), the task ends Cancelled within the agent's window, the run is cancelled and the
 * template deleted or tagged for cleanup.
 */
const TEMPLATE = /\/imagetemplates\/gip-[^/]+$/;
const RUN = /\/imagetemplates\/gip-[^/]+\/run$/;
const VERSION_TYPE = 'Microsoft.Compute/galleries/images/versions';

const SCRIPT = ['echo "step 1"', 'echo "step 2"', 'sleep 300', 'echo "done"'].join('\n');
const INPUTS = { ...LINUX, ...inline(SCRIPT) };

const POINTS: KillPoint[] = [
  {
    name: 'template being created, its build not started',
    reached: (s) => answered(s.state(), 'PUT', TEMPLATE).length > 0,
  },
  {
    name: 'build just started (Queued)',
    reached: (s) => answered(s.state(), 'POST', RUN).length > 0,
  },
  { name: 'customising', reached: (s) => /Image Builder: Customizing/.test(s.output) },
  { name: 'distributing', reached: (s) => /Image Builder: Distributing/.test(s.output) },
];

const versions = (s: StateDump) => s.resources.filter((r) => r.type === VERSION_TYPE);

describe('hardening: BuildImage killed or cancelled at each point', function () {
  this.timeout(180_000);
  const world = simulatorFor(scenario({ timeScale: 0.01 }));
  let buildId = 8100;
  const noted: string[] = [];
  after(() => console.log(noted.map((n) => `      ${n}`).join('\n')));

  for (const point of POINTS) {
    const killed =
      `SIGKILL while ${point.name}; the same job again: one template, one run, ` + 'one version';
    it(killed, async () => {
      const job = { 'Build.BuildId': String(++buildId), 'System.JobAttempt': '1' };
      const before = world.sim.state();
      const from = before.requests.length;
      const killed = await interruptAt(world.sim, point, 'SIGKILL', (o) =>
        runBuildImage(world.sim, INPUTS, { vars: job, ...o }),
      );
      assertKilled(killed, point);

      const again = await runBuildImage(world.sim, INPUTS, {
        vars: { ...job, 'System.JobAttempt': '2' },
      });
      assert.strictEqual(again.result, 'Succeeded', tail(again));
      const since = { ...again.state, requests: again.state.requests.slice(from) };
      const name = again.outputs.templateName;
      assert.strictEqual(created(since, TEMPLATE).length, 1, 'one template created');
      assert.strictEqual(answered(since, 'POST', RUN).length, 1, 'one build run');
      assert.ok(!templates(again.state).some((t) => t.name === name), 'template deleted');
      const made = versions(again.state).length - versions(before).length;
      assert.strictEqual(made, 1, 'one image version');
      assert.ok(
        versions(again.state).some((v) => v.id === again.outputs.imageVersionId),
        again.outputs.imageVersionId,
      );
    });
  }

  for (const point of POINTS) {
    const title =
      `cancel while ${point.name}: Cancelled in the agent's window, run cancelled, template ` +
      'deleted or tagged for cleanup';
    it(title, async () => {
      const job = { 'Build.BuildId': String(++buildId) };
      const from = world.sim.state().requests.length;
      const cancelled = await interruptAt(world.sim, point, 'cancel', (o) =>
        runBuildImage(world.sim, INPUTS, { vars: job, ...o }),
      );
      assertCancelledInWindow(cancelled, point);
      const name = /template (gip-[\w-]+)/.exec(cancelled.run.stdout)?.[1];
      assert.ok(name, tail(cancelled.run));
      // Azure may still be deleting the template (a long-running delete): wait for it to settle.
      await until(
        world.sim,
        (s) =>
          !templates(s).some(
            (t) => t.name === name && t.properties.provisioningState === 'Deleting',
          ),
        'the template is not being deleted any more',
      );
      const s = world.sim.state();
      const left = templates(s).find((t) => t.name === name);
      noted.push(
        `cancel, ${point.name}: Cancelled ${cancelled.endedAfterMs} ms after SIGINT, template ` +
          (left ? 'tagged for cleanup' : 'deleted'),
      );
      if (left) {
        assert.ok(left.tags?.['gip.cleanup'], `template left untagged: ${JSON.stringify(left)}`);
        assert.notStrictEqual(left.properties.lastRunStatus?.runState, 'Running', 'run stopped');
      }
      const since = s.requests.slice(from);
      const ran = since.some(
        (q) => q.method === 'POST' && RUN.test(q.path.split('?')[0].toLowerCase()),
      );
      const build = s.builds.filter((b) => b.templateId.endsWith(`/${name}`)).pop();
      if (ran) assert.notStrictEqual(build?.runState, 'Running', 'the build does not run on');
    });
  }
});
