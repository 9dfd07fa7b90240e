import * as assert from 'assert';
import * as path from 'path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { ROOT } from '../../scripts/tasks';

/**
 * AttachGalleryToDevCenter's entry under MockTestRunner (mockRun.ts): inputs read into typed
 * parameters, providers checked, the (mocked) core's outcome published as output variables; a bad
 * input fails before the connection is used.
 */
const SUB = '/subscriptions/sub';
const GALLERY = `${SUB}/resourceGroups/rg-img/providers/Microsoft.Compute/galleries/golden`;
const ATTACHMENT =
  `${SUB}/resourceGroups/rg-dc/providers/Microsoft.DevCenter/devcenters/dc-main` +
  '/galleries/golden';

async function run(inputs: Record<string, string>, outcome: object): Promise<MockTestRunner> {
  process.env.MOCK_TASK = 'AttachGalleryToDevCenter';
  process.env.MOCK_INPUTS = JSON.stringify(inputs);
  process.env.MOCK_OUTCOME = JSON.stringify(outcome);
  const tr = new MockTestRunner(
    path.join(__dirname, 'mockRun.js'),
    path.join(ROOT, 'tasks', 'AttachGalleryToDevCenter', 'task.json'),
  );
  tr.nodePath = process.execPath; // otherwise it downloads Node, which fails offline
  await tr.runAsync();
  return tr;
}

const setOutput = (tr: MockTestRunner, name: string, value: string) =>
  tr.stdout.includes(
    `##vso[task.setvariable variable=${name};isOutput=true;issecret=false;]${value}`,
  );

describe('AttachGalleryToDevCenter under MockTestRunner', function () {
  this.timeout(30_000);
  after(() => {
    delete process.env.MOCK_TASK;
    delete process.env.MOCK_INPUTS;
    delete process.env.MOCK_OUTCOME;
  });

  it("typed parameters from the inputs, providers checked, the core's outputs", async () => {
    const tr = await run(
      {
        devCenter: 'dc-main',
        resourceGroup: 'rg-dc',
        gallery: GALLERY,
        image: 'win11',
        devBoxDefinition: 'win11-8c32gb',
        sku: 'general_i_8c32gb256ssd_v2',
        osStorageType: 'ssd_256gb',
        windows365PrincipalId: '11111111-2222-4333-8444-555555555555',
        validationTimeout: '45m',
        pollInterval: '15s',
      },
      {
        result: 'Succeeded',
        message: 'attached',
        outputs: { galleryAttachmentId: ATTACHMENT, imageValidationStatus: 'Succeeded' },
      },
    );
    assert.ok(tr.succeeded, tr.stdout);
    assert.ok(tr.stdout.includes('MOCK requireProviders Microsoft.DevCenter,Microsoft.Compute'));
    const params = JSON.parse(/MOCK attachGalleryToDevCenter (.*)/.exec(tr.stdout)?.[1] ?? '{}');
    assert.deepStrictEqual(params, {
      action: 'attach',
      devCenter: { resourceGroup: 'rg-dc', name: 'dc-main' },
      gallery: { subscriptionId: 'sub', resourceGroup: 'rg-img', gallery: 'golden' },
      image: 'win11',
      windows365PrincipalId: '11111111-2222-4333-8444-555555555555',
      definition: {
        name: 'win11-8c32gb',
        sku: 'general_i_8c32gb256ssd_v2',
        osStorageType: 'ssd_256gb',
        hibernateSupport: 'Disabled',
      },
      onRequirementFailure: 'fail',
      pollIntervalMs: 15_000,
      validationTimeoutMs: 2_700_000,
    });
    assert.ok(setOutput(tr, 'galleryAttachmentId', ATTACHMENT), tr.stdout);
    assert.ok(setOutput(tr, 'imageValidationStatus', 'Succeeded'), tr.stdout);
  });

  it('a bad input fails naming it, before the providers are checked', async () => {
    const tr = await run({ devCenter: 'dc-main', resourceGroup: 'rg-dc', gallery: 'golden' }, {});
    assert.ok(tr.failed, tr.stdout);
    assert.match(tr.errorIssues[0], /^Input 'gallery': 'golden' is not the resource id/);
    assert.ok(!tr.stdout.includes('MOCK requireProviders'), tr.stdout);
  });
});
