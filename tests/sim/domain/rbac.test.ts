// RBAC on the image builder: the caller must be allowed to assign the template's identity
// (LinkedAuthorizationFailed), and the identity itself must hold rights on each distribution target
// — otherwise that distributor fails at Distributing naming the missing permission
// (PartiallySucceeded when another one succeeded).
import * as assert from 'assert';
import { ClientSecretCredential } from '@azure/identity';
import { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { RunningSim, startSimulator } from '../index';
import { SIM_IDS } from '../sim';
import { armClientOptions, credentialOptions } from '../testSupport';
import { clients, IMAGE_LINUX, RG, scenario, SUB, UAI, waitForRun } from './support';

const AIB_PRINCIPAL = '6f1e2d3c-4b5a-4987-8a6b-5c4d3e2f1a0b';
const NARROW = {
  clientId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
  objectId: '8b7c6d5e-4f3a-4b2c-8d9e-0f1a2b3c4d5e',
  secret: 'narrow~secret.0123456789',
};
const ROLE_IMAGES = '11111111-aaaa-4bbb-8ccc-222222222222';
const ROLE_TEMPLATES = '33333333-aaaa-4bbb-8ccc-444444444444';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';

function role(guid: string, name: string, actions: string[]): any {
  return {
    id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: name,
      type: 'CustomRole',
      permissions: [{ actions, notActions: [] }],
      assignableScopes: [`/subscriptions/${SUB}`],
    },
  };
}

function assignment(scope: string, n: number, roleGuid: string, principalId: string): any {
  return {
    id:
      `${scope}/providers/Microsoft.Authorization/roleAssignments/0000000` +
      `${n}-0000-4000-8000-000000000000`,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId:
        `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/` + `${roleGuid}`,
      principalId,
    },
  };
}

describe('simulator: image builder with RBAC', function () {
  this.timeout(30000);
  let sim: RunningSim;
  before(async () => {
    const base = scenario({
      rbac: true,
      clients: [NARROW],
      resources: [
        role(ROLE_IMAGES, 'AIB images only', [
          'Microsoft.Compute/images/*',
          'Microsoft.Compute/galleries/read',
          'Microsoft.Compute/galleries/images/read',
        ]),
        role(ROLE_TEMPLATES, 'Image templates only', [
          'Microsoft.VirtualMachineImages/*',
          '*/read',
        ]),
        assignment(`/subscriptions/${SUB}`, 1, CONTRIBUTOR, SIM_IDS.sp.objectId),
        assignment(RG, 2, ROLE_IMAGES, AIB_PRINCIPAL),
        assignment(`/subscriptions/${SUB}`, 3, ROLE_TEMPLATES, NARROW.objectId),
      ],
    });
    // The AIB identity with a known principal id, so the assignment above is its.
    base.resources = base.resources!.map((r: any) =>
      r.id === UAI ? { ...r, properties: { principalId: AIB_PRINCIPAL } } : r,
    );
    sim = await startSimulator({ scenario: base });
  });
  after(async () => sim?.stop());

  const template = (distribute: any[]): any => ({
    location: 'westeurope',
    identity: { type: 'UserAssigned', userAssignedIdentities: { [UAI]: {} } },
    source: {
      type: 'PlatformImage',
      publisher: 'Canonical',
      offer: '0001-com-ubuntu-server-jammy',
      sku: '22_04-lts-gen2',
      version: 'latest',
    },
    customize: [{ type: 'Shell', inline: ['echo hi'] }],
    distribute,
  });

  it('a caller who may not assign the identity gets LinkedAuthorizationFailed', async () => {
    const cred = new ClientSecretCredential(
      sim.info.tenantId,
      NARROW.clientId,
      NARROW.secret,
      credentialOptions(sim.info),
    );
    const aib = new ImageBuilderClient(cred, SUB, armClientOptions(sim.info));
    await assert.rejects(
      aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
        'rg-img',
        'narrow',
        template([{ type: 'VHD', runOutputName: 'vhd' }]),
      ),
      (e: any) =>
        e.statusCode === 403 &&
        e.code === 'LinkedAuthorizationFailed' &&
        e.message.includes("'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action'") &&
        e.message.includes(UAI),
    );
    assert.ok(!sim.state().resources.some((r) => r.name === 'narrow'));
  });

  it(
    'an identity without write on the gallery image fails that distributor naming the ' +
      'permission: PartiallySucceeded',
    async () => {
      const { aib } = clients(sim);
      const imageId = `${RG}/providers/Microsoft.Compute/images/rbac-managed`;
      await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
        'rg-img',
        'rbac',
        template([
          { type: 'SharedImage', galleryImageId: IMAGE_LINUX, runOutputName: 'sig' },
          { type: 'ManagedImage', imageId, location: 'westeurope', runOutputName: 'managed' },
        ]),
      );
      await aib.virtualMachineImageTemplates.beginRun('rg-img', 'rbac');
      const { template: t } = await waitForRun(aib, 'rg-img', 'rbac');
      assert.strictEqual(t.lastRunStatus.runState, 'PartiallySucceeded');
      assert.strictEqual(t.lastRunStatus.runSubState, 'Distributing');
      assert.match(
        t.lastRunStatus.message,
        new RegExp(
          '^Failed in distributing 1 images out of total 2: \\{\\[Error 0\\] \\[Distribute ' +
            ('0\\] Error publishing MDI to Azure Compute Gallery:.*\\/images\\/ubuntu, ' +
              'Location:westeuro') +
            ('pe\\. Error: Not authorized to access the resource: ' +
              '.*\\/images\\/ubuntu\\/versions\\/1\\.') +
            '0\\.0\\.',
        ),
      );
      assert.match(
        t.lastRunStatus.message,
        new RegExp(
          `object id '${AIB_PRINCIPAL}' does not have authorization to perform action ` +
            `'Microsoft\\.Compute/galleries/images/versions/write'`,
        ),
      );
      assert.strictEqual(
        (await aib.virtualMachineImageTemplates.getRunOutput('rg-img', 'rbac', 'sig'))
          .provisioningState,
        'Failed',
      );
      assert.strictEqual(
        (await aib.virtualMachineImageTemplates.getRunOutput('rg-img', 'rbac', 'managed'))
          .artifactId,
        imageId,
      );
    },
  );
});
