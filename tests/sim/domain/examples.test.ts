// Every official example of the image builder and gallery operations the tasks use, sent to a
// running simulator as written (placeholders replaced by ids that exist), must be accepted and
// complete. The contracts tests check the bodies against the schemas; this checks the simulated
// services' own rules (sources exist, regions, generations, LROs) accept them too.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { specsRoot } from '../contracts';
import { RunningSim, startSimulator } from '../index';
import { armToken, rawRequest } from '../testSupport';
import { SUB } from './support';

const SPEC = path.join(specsRoot(), 'azure-rest-api-specs', 'specification');
const AIB = path.join(
  SPEC,
  'imagebuilder/resource-manager/Microsoft.VirtualMachineImages/stable/2024-02-01/examples',
);
const GAL = path.join(
  SPEC,
  'compute/resource-manager/Microsoft.Compute/GalleryRP/stable/2024-03-03/examples/galleryExamples',
);
const RG = `/subscriptions/${SUB}/resourceGroups/myResourceGroup`;

/** Placeholders of the examples -> names of resources the scenario creates. */
function substitute(text: string): string {
  return text
    .replace(/\{subscription-id\}|\{subscriptionId\}|00000000-0000-0000-0000-000000000000/g, SUB)
    .replace(/\{resourceGroup\}/g, 'myResourceGroup')
    .replace(/resourceGroups\/rg1\//gi, 'resourceGroups/myResourceGroup/')
    .replace(/\{imageName\}/g, 'myImage')
    .replace(/\{vmName\}/g, 'myVM')
    .replace(
      /galleries\/\{galleryName\}\/images\/\{imageDefinitionName\}\/versions\/\{versionName\}/g,
      'galleries/srcGallery/images/srcImage/versions/1.0.0',
    )
    .replace(/\{storageAccount\}/g, 'vhdsource01');
}

function load(dir: string, file: string): any {
  return JSON.parse(substitute(fs.readFileSync(path.join(dir, file), 'utf8')));
}

const windowsV1 = {
  osType: 'Windows',
  osState: 'Generalized',
  hyperVGeneration: 'V1',
  identifier: { publisher: 'p', offer: 'o', sku: 'src' },
};

const resources = [
  { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westus' },
  {
    id: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identity_1`,
    type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
    location: 'westus',
  },
  {
    id: `${RG}/providers/Microsoft.Compute/images/source_image`,
    type: 'Microsoft.Compute/images',
    location: 'westus',
    properties: { storageProfile: { osDisk: { osType: 'Linux', osState: 'Generalized' } } },
  },
  {
    id: `${RG}/providers/Microsoft.Compute/images/myImage`,
    type: 'Microsoft.Compute/images',
    location: 'westus',
    properties: {
      hyperVGeneration: 'V1',
      storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
    },
  },
  {
    id: `${RG}/providers/Microsoft.Compute/virtualMachines/myVM`,
    type: 'Microsoft.Compute/virtualMachines',
    location: 'westus',
    properties: { storageProfile: { osDisk: { osType: 'Windows' } } },
  },
  {
    id: `${RG}/providers/Microsoft.Storage/storageAccounts/vhdsource01`,
    type: 'Microsoft.Storage/storageAccounts',
    location: 'westus',
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
  },
  {
    id: `${RG}/providers/Microsoft.Compute/galleries/srcGallery`,
    type: 'Microsoft.Compute/galleries',
    location: 'westus',
  },
  {
    id: `${RG}/providers/Microsoft.Compute/galleries/srcGallery/images/srcImage`,
    type: 'Microsoft.Compute/galleries/images',
    location: 'westus',
    properties: windowsV1,
  },
  {
    id: `${RG}/providers/Microsoft.Compute/galleries/srcGallery/images/srcImage/versions/1.0.0`,
    type: 'Microsoft.Compute/galleries/images/versions',
    location: 'westus',
    properties: {
      storageProfile: { source: { id: `${RG}/providers/Microsoft.Compute/images/myImage` } },
    },
  },
];

describe('simulator: official examples of the image builder and gallery operations', function () {
  this.timeout(60000);
  let sim: RunningSim;
  let token: string;
  let checked = 0;
  before(async () => {
    sim = await startSimulator({ scenario: { timeScale: 0.0005, resources } });
    token = await armToken(sim);
  });
  after(async () => {
    console.log(`      official examples sent to the simulator: ${checked}`);
    await sim?.stop();
  });

  async function send(method: string, p: string, apiVersion: string, body?: unknown): Promise<any> {
    const r = await rawRequest(sim, method, `${p}?api-version=${apiVersion}`, { token, body });
    assert.ok(
      r.status >= 200 && r.status < 300,
      `${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`,
    );
    const poll = r.headers['azure-asyncoperation'] ?? r.headers['location'];
    if (poll && (r.status === 201 || r.status === 202 || r.headers['azure-asyncoperation'])) {
      for (;;) {
        const u = new URL(poll);
        const s = await rawRequest(sim, 'GET', u.pathname + u.search, { token });
        if (s.status === 202 || s.body?.status === 'InProgress') {
          await new Promise((res) => setTimeout(res, 10));
          continue;
        }
        assert.ok(
          s.status < 300 && (s.body?.status ?? 'Succeeded') === 'Succeeded',
          `${method} ${p} ended ${s.status} ${JSON.stringify(s.body)}`,
        );
        break;
      }
    }
    checked++;
    return r;
  }

  it(
    'image templates: CreateImageTemplateLinux/Windows, UpdateImageTemplateTags, Get, Run, ' +
      'ListRunOutputs, GetRunOutput, Cancel (409 when idle), Delete',
    async () => {
      const t = `${RG}/providers/Microsoft.VirtualMachineImages/imageTemplates`;
      for (const [file, name] of [
        ['CreateImageTemplateLinux.json', 'linuxExample'],
        ['CreateImageTemplateWindows.json', 'windowsExample'],
      ]) {
        const ex = load(AIB, file);
        const body = ex.parameters.parameters;
        // Each run distributes to its own managed image ("already exists" otherwise).
        body.properties.distribute[0].imageId =
          `${RG}/providers/Microsoft.Compute/images/` + `${name}-out`;
        await send('PUT', `${t}/${name}`, '2024-02-01', body);
        await send(
          'PATCH',
          `${t}/${name}`,
          '2024-02-01',
          load(AIB, 'UpdateImageTemplateTags.json').parameters.parameters,
        );
        const got = await send('GET', `${t}/${name}`, '2024-02-01');
        assert.deepStrictEqual(
          got.body.tags,
          load(AIB, 'UpdateImageTemplateTags.json').parameters.parameters.tags,
        );
        await send('POST', `${t}/${name}/run`, '2024-02-01');
        const status = (await send('GET', `${t}/${name}`, '2024-02-01')).body.properties
          .lastRunStatus;
        assert.strictEqual(status.runState, 'Succeeded', status.message);
        const list = await send('GET', `${t}/${name}/runOutputs`, '2024-02-01');
        assert.strictEqual(list.body.value[0].name, 'image_it_pir_1');
        const one = await send('GET', `${t}/${name}/runOutputs/image_it_pir_1`, '2024-02-01');
        assert.strictEqual(
          one.body.properties.artifactId,
          `${RG}/providers/Microsoft.Compute/images/${name}-out`,
        );
        const idle = await rawRequest(sim, 'POST', `${t}/${name}/cancel?api-version=2024-02-01`, {
          token,
        });
        assert.strictEqual(idle.status, 409);
        await send('DELETE', `${t}/${name}`, '2024-02-01');
      }
    },
  );

  it(
    'gallery: Gallery_Create, GalleryImage_Create/Update, every GalleryImageVersion_Create ' +
      'source the tasks use, Update, Get with ReplicationStatus, List, Delete',
    async () => {
      const g = `${RG}/providers/Microsoft.Compute/galleries/myGalleryName`;
      await send('PUT', g, '2024-03-03', load(GAL, 'Gallery_Create.json').parameters.gallery);
      await send(
        'PUT',
        `${g}/images/myGalleryImageName`,
        '2024-03-03',
        load(GAL, 'GalleryImage_Create.json').parameters.galleryImage,
      );
      await send(
        'PATCH',
        `${g}/images/myGalleryImageName`,
        '2024-03-03',
        load(GAL, 'GalleryImage_Update.json').parameters.galleryImage,
      );
      const files = [
        'GalleryImageVersion_Create.json',
        'GalleryImageVersion_Create_WithVmAsSource.json',
        'GalleryImageVersion_Create_WithImageVersionAsSource.json',
        'GalleryImageVersion_Create_WithVHD.json',
      ];
      for (let i = 0; i < files.length; i++) {
        await send(
          'PUT',
          `${g}/images/myGalleryImageName/versions/1.0.${i}`,
          '2024-03-03',
          load(GAL, files[i]).parameters.galleryImageVersion,
        );
      }
      await send(
        'PATCH',
        `${g}/images/myGalleryImageName/versions/1.0.0`,
        '2024-03-03',
        load(GAL, 'GalleryImageVersion_Update.json').parameters.galleryImageVersion,
      );
      const v = await send(
        'GET',
        `${g}/images/myGalleryImageName/versions/1.0.0`,
        '2024-03-03&$expand=ReplicationStatus',
      );
      assert.strictEqual(v.body.properties.replicationStatus.aggregatedState, 'Completed');
      const list = await send('GET', `${g}/images/myGalleryImageName/versions`, '2024-03-03');
      assert.strictEqual(list.body.value.length, files.length);
      for (let i = 0; i < files.length; i++)
        await send('DELETE', `${g}/images/myGalleryImageName/versions/1.0.${i}`, '2024-03-03');
      await send('DELETE', `${g}/images/myGalleryImageName`, '2024-03-03');
      await send('DELETE', g, '2024-03-03');
    },
  );
});
