import * as assert from 'assert';
import { runTask } from '../../scripts/runner/runner';
import { RunningSim, startSimulator } from '../sim';
import { baseResources, blobService, IMAGE_LINUX } from '../sim/domain/support';

/**
 * BuildImage when the build container's logs API never answers (404 the whole build): the task
 * learns the run from the staging account's `packerlogs/`, prints every customization.log line
 * exactly once, and warns once that the live log was unavailable.
 */
describe('e2e: BuildImage live-log fallback', function () {
  this.timeout(120_000);
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        timeScale: 0.003,
        resources: baseResources(),
        faults: [{ method: 'GET', path: '/containers/[^/]+/logs\\?', status: 404, times: 100_000 }],
      },
    });
  });
  after(async () => {
    await sim?.stop();
  });

  it(
    'prints customization.log once, found by listing packerlogs/, when the container log is ' +
      'never readable',
    async () => {
      const r = await runTask({
        task: 'BuildImage',
        sim,
        inputs: {
          location: 'westeurope',
          resourceGroup: 'rg-img',
          managedIdentity: 'aib-identity',
          pollInterval: '250ms',
          sourceImage: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2',
          galleryImageDefinitionId: IMAGE_LINUX,
          scriptSource: 'inline',
          inlineScript: 'echo "first"\necho "second"',
          keepTemplate: 'true',
        },
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      const logReads = r.state.requests.filter((q) => /\/containers\/[^/]+\/logs/i.test(q.path));
      assert.ok(
        logReads.length > 0 && logReads.every((q) => q.status === 404),
        'the logs API was asked and always answered 404',
      );
      const warnings = r.stdout
        .split('\n')
        .filter((l) =>
          /^##vso\[task\.issue type=warning[^\]]*\]The live build log was unavailable/.test(l),
        );
      assert.strictEqual(warnings.length, 1, r.stdout);

      const template = r.state.resources.find(
        (x) => x.type === 'Microsoft.VirtualMachineImages/imageTemplates',
      )!;
      const staging = String(template.properties.exactStagingResourceGroup).toLowerCase();
      const account = r.state.resources.find(
        (x) =>
          x.type === 'Microsoft.Storage/storageAccounts' &&
          x.id.toLowerCase().startsWith(`${staging}/`),
      )!;
      const blobs = (await blobService(sim, account.id)).getContainerClient('packerlogs');
      const names: string[] = [];
      for await (const b of blobs.listBlobsFlat())
        if (b.name.endsWith('/customization.log')) names.push(b.name);
      assert.strictEqual(names.length, 1);
      const written = (await blobs.getBlobClient(names[0]).downloadToBuffer())
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/^\[[0-9a-f-]{36}\] /, ''));
      const known = new Set(written);
      const printed = r.stdout.split('\n').filter((l) => known.has(l));
      assert.ok(written.length > 20, `${written.length} lines`);
      assert.deepStrictEqual(printed, written, 'every line printed once, in order');
    },
  );
});
