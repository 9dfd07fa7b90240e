import * as assert from 'assert';
import { runTask, RunResult } from '../../scripts/runner/runner';
import { RunningSim, startSimulator } from '../sim';
import { baseResources, blobService, IMAGE_LINUX } from '../sim/domain/support';

/**
 * BuildImage's detach mode through the runner against the simulator: `start` in one task run
 * returns with the template name while the build goes on; `wait` in another follows it from where
 * it is, prints the whole log once and finishes it; `cancel` (by name, or by the name this job's
 * inputs give) cancels a running build and deletes its template.
 */
const TEMPLATE_TYPE = 'Microsoft.VirtualMachineImages/imageTemplates';
const LINUX = {
  location: 'westeurope',
  resourceGroup: 'rg-img',
  managedIdentity: 'aib-identity',
  pollInterval: '250ms',
  sourceImage: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2',
  galleryImageDefinitionId: IMAGE_LINUX,
  scriptSource: 'inline',
};

describe('e2e: BuildImage start / wait / cancel', function () {
  this.timeout(120_000);
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({ scenario: { timeScale: 0.003, resources: baseResources() } });
  });
  after(async () => {
    await sim?.stop();
  });

  const run = (inputs: Record<string, string>) =>
    runTask({ task: 'BuildImage', sim, inputs: { ...LINUX, ...inputs } });
  const template = (r: RunResult, name: string) =>
    r.state.resources.find((x) => x.type === TEMPLATE_TYPE && x.name === name);
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
      const name = started.outputs.templateName!;
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
      const t = template(waited, name)!;
      const staging = String(t.properties.exactStagingResourceGroup).toLowerCase();
      const account = waited.state.resources.find(
        (x) =>
          x.type === 'Microsoft.Storage/storageAccounts' &&
          x.id.toLowerCase().startsWith(`${staging}/`),
      )!;
      const logs = (await blobService(sim, account.id)).getContainerClient('packerlogs');
      const names: string[] = [];
      for await (const b of logs.listBlobsFlat()) names.push(b.name);
      const written = (
        await logs
          .getBlobClient(names.find((n) => n.endsWith('customization.log'))!)
          .downloadToBuffer()
      )
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/^\[[0-9a-f-]{36}\] /, ''));
      const known = new Set(written);
      assert.deepStrictEqual(
        waited.stdout.split('\n').filter((l) => known.has(l)),
        written,
      );
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
      const name = started.outputs.templateName!;
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
