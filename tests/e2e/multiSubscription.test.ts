import * as assert from 'assert';
import { runTask, RunResult } from '../../scripts/runner/runner';
import { RunningSim, SIM_IDS, startSimulator, StateResource } from '../sim';

/**
 * DistributeToGallery across subscriptions, through the runner: the connection is in subscription
 * A, the managed image too; the gallery is in B; a VM in C uses one of its versions. Publish puts
 * the version in B from the image in A; prune keeps the version the VM in C uses and deletes the
 * others beyond the count.
 */
const A = { subscriptionId: SIM_IDS.subscriptionId, displayName: 'Images (A)' };
const B = { subscriptionId: 'b0b0b0b0-1111-4222-8333-444455556666', displayName: 'Galleries (B)' };
const C = { subscriptionId: 'c0c0c0c0-1111-4222-8333-444455556666', displayName: 'Hosts (C)' };
const rgId = (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`;
const IMAGE = `${rgId(A.subscriptionId, 'rg-images')}/providers/Microsoft.Compute/images/img-1`;
const GALLERY =
  `${rgId(B.subscriptionId, 'rg-gallery')}/providers/Microsoft.Compute/galleries` + `/golden`;
const DEFINITION = `${GALLERY}/images/win11`;
const VM = `${rgId(C.subscriptionId, 'rg-hosts')}/providers/Microsoft.Compute/virtualMachines/vm-c`;
const OLD_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3'];

const SCENARIO = {
  timeScale: 0.005,
  subscriptions: [A, B, C],
  resources: [
    ...[
      [A, 'rg-images'],
      [B, 'rg-gallery'],
      [C, 'rg-hosts'],
    ].map(([s, rg]) => ({
      id: rgId((s as typeof A).subscriptionId, rg as string),
      type: 'Microsoft.Resources/resourceGroups',
      location: 'westeurope',
    })),
    {
      id: IMAGE,
      type: 'Microsoft.Compute/images',
      location: 'westeurope',
      properties: {
        hyperVGeneration: 'V2',
        storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
      },
    },
    { id: GALLERY, type: 'Microsoft.Compute/galleries', location: 'westeurope' },
    {
      id: DEFINITION,
      type: 'Microsoft.Compute/galleries/images',
      location: 'westeurope',
      properties: {
        osType: 'Windows',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: { publisher: 'contoso', offer: 'win11', sku: 'multi' },
      },
    },
    ...OLD_VERSIONS.map((v) => ({
      id: `${DEFINITION}/versions/${v}`,
      type: 'Microsoft.Compute/galleries/images/versions',
      location: 'westeurope',
      properties: {
        storageProfile: { source: { id: IMAGE } },
        publishingProfile: { targetRegions: [{ name: 'westeurope' }] },
      },
    })),
    // A host in C on 1.0.1 of B's definition.
    {
      id: VM,
      type: 'Microsoft.Compute/virtualMachines',
      location: 'westeurope',
      properties: {
        storageProfile: {
          imageReference: { id: `${DEFINITION}/versions/1.0.1` },
          osDisk: { osType: 'Windows' },
        },
      },
    },
  ],
};

describe('e2e: DistributeToGallery across subscriptions', function () {
  this.timeout(120_000);
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({ scenario: SCENARIO });
  });
  after(async () => {
    await sim?.stop();
  });

  const run = (inputs: Record<string, string>) =>
    runTask({ task: 'DistributeToGallery', sim, inputs: { pollInterval: '500ms', ...inputs } });
  const versions = (r: RunResult): StateResource[] =>
    r.state.resources.filter((x) => x.type === 'Microsoft.Compute/galleries/images/versions');

  it('publishes a managed image in subscription A into a gallery in subscription B', async () => {
    const r = await run({
      source: IMAGE,
      imageDefinition: DEFINITION,
      versionStrategy: 'explicit',
      version: '2.0.0',
    });
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    assert.strictEqual(
      r.outputs.imageVersionId?.toLowerCase(),
      `${DEFINITION}/versions/2.0.0`.toLowerCase(),
    );
    const published = versions(r).find((v) => v.name === '2.0.0')!;
    assert.ok(
      published.id.toLowerCase().startsWith(`/subscriptions/${B.subscriptionId}/`),
      `in B: ${published.id}`,
    );
    assert.strictEqual(
      published.properties.storageProfile.source.id.toLowerCase(),
      IMAGE.toLowerCase(),
      'its source is the image in A',
    );
    assert.strictEqual(published.properties.provisioningState, 'Succeeded');
    assert.ok(
      !r.state.resources.some(
        (x) =>
          x.id.toLowerCase().startsWith(`/subscriptions/${A.subscriptionId}/`) &&
          /galleries/i.test(x.type),
      ),
      'no gallery made in A',
    );
  });

  it(
    'prune keeps the version a VM in subscription C uses, and deletes the others beyond the ' +
      'keep count',
    async () => {
      const r = await run({ action: 'prune', imageDefinition: DEFINITION, pruneKeep: '2' });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.deepStrictEqual(
        versions(r)
          .map((v) => v.name)
          .sort(),
        ['1.0.1', '1.0.3', '2.0.0'],
      );
      assert.match(r.stdout, /keep {4}version 1\.0\.1 — in use by VM vm-c \(rg-hosts\)/);
      assert.strictEqual(r.outputs.prunedVersions, '1.0.2,1.0.0');
      // The scan looked in every subscription the connection sees.
      assert.ok(
        r.state.requests.some((q) =>
          q.path.startsWith(
            `/subscriptions/${C.subscriptionId}/providers/Microsoft.Compute/virtualMachines?`,
          ),
        ),
        'VMs of C listed',
      );
    },
  );
});
