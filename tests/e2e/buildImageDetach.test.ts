import * as assert from 'assert';
import type { RunResult } from '../../scripts/runner/runner';
import { LINUX, runBuildImage, scenario, simulatorFor, templates } from './buildImageFixtures';
import { printedOf, stagingLog } from './buildLog';

/**
 * BuildImage's detach mode through the runner against the simulator: `start` in one task run
 * returns with the template name while the build goes on; `wait` in another follows it from where
 * it is, prints the whole log once and finishes it; `cancel` (by name, or by the name this job's
 * inputs give) cancels a running build and deletes its template.
 */

describe('e2e: BuildImage start / wait / cancel', function () {
  this.timeout(120_000);
  const world = simulatorFor(scenario());

  const run = (inputs: Record<string, string>) =>
    runBuildImage(world.sim, { ...LINUX, scriptSource: 'inline', ...inputs });
  const template = (r: RunResult, name: string) => templates(r.state).find((x) => x.name === name);
  const posts = (r: RunResult, name: string, op: string) =>
    r.state.requests.filter(
      (q) => q.method === 'POST' && q.path.includes(`/imageTemplates/${name}/${op}`),
    ).length;

  it(
    'start returns while the build runs; wait in another run follows it, prints the whole ' +
      'log once and finishes it',
    async () => {
      const script = Array.from({ length: 12 }, (_, i) => `echo "step ${i + 1}"`)
        .concat('sleep 400', 'echo "done"')
        .join('\n');
      const started = await run({ action: 'start', inlineScript: script });
      assert.strictEqual(started.result, 'Succeeded', started.stdout);
      const name = started.outputs.templateName;
      assert.match(name, /^gip-/);
      assert.strictEqual(started.outputs.runState, 'Running');
      assert.strictEqual(
        template(started, name)?.properties.lastRunStatus.runState,
        'Running',
        'still building when start returns',
      );
      assert.doesNotMatch(started.stdout, /azure-arm: step 1/);

      const waited = await run({ action: 'wait', templateName: name, keepTemplate: 'true' });
      assert.strictEqual(waited.result, 'Succeeded', waited.stdout);
      assert.strictEqual(waited.outputs.runState, 'Succeeded');
      assert.match(
        waited.outputs.imageVersionId ?? '',
        /\/images\/ubuntu\/versions\/\d+\.\d+\.\d+$/,
      );
      assert.match(waited.stdout, /Following the build of template .* \(Running/);
      assert.strictEqual(posts(waited, name, 'run'), 1, 'one build');

      // Every line of customization.log printed once, in order, by the wait run.
      const written = await stagingLog(world.sim, waited, name);
      assert.deepStrictEqual(printedOf(waited, written), written);
      assert.ok(written.some((l) => /azure-arm: step 12$/.test(l)));

      // cancel on a finished build: nothing to stop, the template is deleted.
      const cancelled = await run({ action: 'cancel', templateName: name });
      assert.strictEqual(cancelled.result, 'Succeeded', cancelled.stdout);
      assert.ok(!template(cancelled, name), 'template deleted');
    },
  );

  it(
    "cancel, by the name this job's inputs give, stops a started build and deletes its " +
      'template',
    async () => {
      const inputs = { inlineScript: 'echo "long"\nsleep 5000' };
      const started = await run({ action: 'start', ...inputs });
      assert.strictEqual(started.result, 'Succeeded', started.stdout);
      const name = started.outputs.templateName;
      const cancelled = await run({ action: 'cancel', ...inputs });
      assert.strictEqual(cancelled.result, 'Succeeded', cancelled.stdout);
      assert.strictEqual(cancelled.outputs.templateName, name);
      assert.strictEqual(cancelled.outputs.runState, 'Canceled');
      assert.strictEqual(posts(cancelled, name, 'cancel'), 1);
      assert.ok(!template(cancelled, name), 'template deleted');

      const waited = await run({ action: 'wait', templateName: name });
      assert.strictEqual(waited.result, 'Failed');
      assert.match(waited.message ?? '', /Input 'templateName': there is no image template/);
    },
  );
});
