// Microsoft Dev Box over plain authenticated HTTPS (no @azure/arm-devcenter on the npm registry):
// attaching a Compute gallery (the gallery must exist; the dev center needs an identity with
// Contributor on it, with rbac on), dev box definitions on an image's latest version or an exact
// version, image validation against Dev Box's requirements, activeImageReference during an update,
// and lists.
import * as assert from 'assert';
import { RunningSim, SIM_IDS, startSimulator } from '../index';
import { armToken, rawRequest } from '../testSupport';
import { RG, SUB } from './support';

const API = '?api-version=2024-02-01';
const DC = `${RG}/providers/Microsoft.DevCenter/devcenters/dc1`;
const GAL = `${RG}/providers/Microsoft.Compute/galleries/corp`;
const roleId = (guid: string) =>
  `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const CONTRIBUTOR = roleId('b24988ac-6180-42a0-ab88-20f7382dd24c');
const OWNER = roleId('8e3af657-a8ff-443c-a75c-2fe8c4bcb635');
const devBoxReady = {
  osType: 'Windows',
  osState: 'Generalized',
  hyperVGeneration: 'V2',
  features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
};

const image = (name: string, props: any, sku = 'win11-ent') => ({
  id: `${GAL}/images/${name}`,
  type: 'Microsoft.Compute/galleries/images',
  location: 'westeurope',
  properties: { ...props, identifier: { publisher: 'contoso', offer: name, sku } },
});
const version = (img: string, v: string, excludeFromLatest = false) => ({
  id: `${GAL}/images/${img}/versions/${v}`,
  type: 'Microsoft.Compute/galleries/images/versions',
  location: 'westeurope',
  properties: { publishingProfile: { excludeFromLatest, targetRegions: [{ name: 'westeurope' }] } },
});
const imageRef = (img: string, v?: string) => ({
  id: `${DC}/galleries/corp/images/${img}${v ? `/versions/${v}` : ''}`,
});
const definition = (ref: { id: string }) => ({
  location: 'westeurope',
  properties: {
    imageReference: ref,
    sku: { name: 'general_i_8c32gb256ssd_v2' },
    osStorageType: 'ssd_256gb',
  },
});

describe('simulator: Dev Box dev centers, attached galleries and dev box definitions', function () {
  this.timeout(30000);
  let sim: RunningSim;
  let token: string;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        timeScale: 0.001,
        rbac: true,
        resources: [
          { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          {
            id:
              `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments` +
              `/00000001-0000-4000-8000-000000000000`,
            type: 'Microsoft.Authorization/roleAssignments',
            properties: { roleDefinitionId: OWNER, principalId: SIM_IDS.sp.objectId },
          },
          { id: GAL, type: 'Microsoft.Compute/galleries', location: 'westeurope' },
          image('win11', devBoxReady),
          version('win11', '1.0.0'),
          version('win11', '1.1.0'),
          version('win11', '1.2.0', true),
          image('gen1', { ...devBoxReady, hyperVGeneration: 'V1' }),
          version('gen1', '1.0.0'),
          image('multi', devBoxReady, 'win11-23h2-avd'),
          version('multi', '1.0.0'),
        ],
      },
    });
    token = await armToken(sim);
  });
  after(async () => sim?.stop());

  const call = (method: string, p: string, body?: unknown) =>
    rawRequest(sim, method, p.includes('?') ? p : p + API, { token, body });
  /**
   * Sends a write and follows its Azure-AsyncOperation to the end; returns the terminal status
   * body.
   */
  async function lro(method: string, p: string, body?: unknown): Promise<any> {
    const r = await call(method, p, body);
    assert.ok(
      [200, 201, 202].includes(r.status),
      `${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`,
    );
    const u = new URL(r.headers['azure-asyncoperation']);
    for (;;) {
      const s = await call('GET', u.pathname + u.search);
      if (s.body.status !== 'InProgress') return s.body;
      await new Promise((res) => setTimeout(res, 10));
    }
  }
  const get = async (p: string) => (await call('GET', p)).body;

  it(
    'attaching: the gallery must exist; the dev center needs an identity, and that identity ' +
      'Contributor on the gallery',
    async () => {
      assert.strictEqual((await lro('PUT', DC, { location: 'westeurope' })).status, 'Succeeded');
      const missing = await call('PUT', `${DC}/galleries/nope`, {
        properties: { galleryResourceId: `${RG}/providers/Microsoft.Compute/galleries/nope` },
      });
      assert.deepStrictEqual([missing.status, missing.body.error.code], [400, 'GalleryNotFound']);

      const noIdentity = await lro('PUT', `${DC}/galleries/corp`, {
        properties: { galleryResourceId: GAL },
      });
      assert.deepStrictEqual(
        [noIdentity.status, noIdentity.error.code],
        ['Failed', 'DevCenterIdentityNotFound'],
      );
      assert.strictEqual(
        (await get(`${DC}/galleries/corp`)).properties.provisioningState,
        'Failed',
      );

      assert.strictEqual(
        (await lro('PATCH', DC, { identity: { type: 'SystemAssigned' } })).status,
        'Succeeded',
      );
      const principalId = (await get(DC)).identity.principalId;
      const noRole = await lro('PUT', `${DC}/galleries/corp`, {
        properties: { galleryResourceId: GAL },
      });
      assert.deepStrictEqual(
        [noRole.status, noRole.error.code],
        ['Failed', 'GalleryAuthorizationFailed'],
      );

      const assign = await call(
        'PUT',
        `${GAL}/providers/Microsoft.Authorization/roleAssignments` +
          `/00000002-0000-4000-8000-000000000000?api-version=2022-04-01`,
        {
          properties: {
            roleDefinitionId: CONTRIBUTOR,
            principalId,
            principalType: 'ServicePrincipal',
          },
        },
      );
      assert.strictEqual(assign.status, 201, JSON.stringify(assign.body));
      assert.strictEqual(
        (await lro('PUT', `${DC}/galleries/corp`, { properties: { galleryResourceId: GAL } }))
          .status,
        'Succeeded',
      );
      assert.deepStrictEqual(
        (await get(`${DC}/galleries`)).value.map((g: any) => [
          g.name,
          g.properties.galleryResourceId,
          g.properties.provisioningState,
        ]),
        [['corp', GAL, 'Succeeded']],
      );
      const moved = await call('PUT', `${DC}/galleries/corp`, {
        properties: { galleryResourceId: `${RG}/providers/Microsoft.Compute/galleries/other` },
      });
      assert.deepStrictEqual([moved.status, moved.body.error.code], [400, 'InvalidPropertyUpdate']);
    },
  );

  it(
    'a definition on an image uses its latest version (not one excluded from latest); ' +
      'validation is Pending, then Succeeded',
    async () => {
      assert.strictEqual(
        (await lro('PUT', `${DC}/devboxdefinitions/latest`, definition(imageRef('win11')))).status,
        'Succeeded',
      );
      const first = (await get(`${DC}/devboxdefinitions/latest`)).properties;
      assert.deepStrictEqual(first.imageReference, { ...imageRef('win11'), exactVersion: '1.1.0' });
      assert.strictEqual(first.imageValidationStatus, 'Pending');
      await new Promise((res) => setTimeout(res, 350)); // 300 s nominal at timeScale 0.001
      assert.strictEqual(
        (await get(`${DC}/devboxdefinitions/latest`)).properties.imageValidationStatus,
        'Succeeded',
      );
    },
  );

  it(
    'validation fails for a Gen1 or a multi-session image; an image that does not resolve is ' +
      'refused',
    async () => {
      for (const [img, code] of [
        ['gen1', 'SourceImageInvalid'],
        ['multi', 'SourceImageInvalid'],
      ]) {
        await lro('PUT', `${DC}/devboxdefinitions/${img}`, definition(imageRef(img, '1.0.0')));
        await new Promise((res) => setTimeout(res, 350));
        const p = (await get(`${DC}/devboxdefinitions/${img}`)).properties;
        assert.deepStrictEqual(
          [p.provisioningState, p.imageValidationStatus, p.imageValidationErrorDetails?.code],
          ['Succeeded', 'Failed', code],
        );
      }
      for (const ref of [
        imageRef('win11', '9.9.9'),
        imageRef('nope'),
        { id: `${RG}/providers/Microsoft.DevCenter/devcenters/other/galleries/corp/images/win11` },
        { id: `${GAL}/images/win11` },
      ]) {
        const r = await call('PUT', `${DC}/devboxdefinitions/bad`, definition(ref));
        assert.deepStrictEqual(
          [r.status, r.body.error.code],
          [400, 'InvalidImageReference'],
          ref.id,
        );
      }
    },
  );

  it(
    'updating the image: the old one stays visible as activeImageReference until the update ' +
      'ends; the attached gallery in use cannot be removed',
    async () => {
      await lro('PUT', `${DC}/devboxdefinitions/pinned`, definition(imageRef('win11', '1.0.0')));
      const r = await call('PATCH', `${DC}/devboxdefinitions/pinned`, {
        properties: { imageReference: imageRef('win11', '1.1.0') },
      });
      assert.strictEqual(r.status, 202);
      const during = (await get(`${DC}/devboxdefinitions/pinned`)).properties;
      assert.deepStrictEqual(
        [
          during.provisioningState,
          during.activeImageReference?.exactVersion,
          during.imageReference.exactVersion,
        ],
        ['Updating', '1.0.0', '1.1.0'],
      );
      const u = new URL(r.headers['azure-asyncoperation']);
      while ((await call('GET', u.pathname + u.search)).body.status === 'InProgress')
        await new Promise((res) => setTimeout(res, 10));
      const after = (await get(`${DC}/devboxdefinitions/pinned`)).properties;
      assert.deepStrictEqual(
        [after.provisioningState, after.activeImageReference, after.imageReference.exactVersion],
        ['Succeeded', undefined, '1.1.0'],
      );

      const inUse = await call('DELETE', `${DC}/galleries/corp`);
      assert.deepStrictEqual([inUse.status, inUse.body.error.code], [409, 'GalleryInUse']);
    },
  );

  it('lists dev centers by subscription and group, definitions by dev center', async () => {
    assert.deepStrictEqual(
      (await get(`/subscriptions/${SUB}/providers/Microsoft.DevCenter/devcenters`)).value.map(
        (d: any) => d.name,
      ),
      ['dc1'],
    );
    assert.deepStrictEqual(
      (await get(`${RG}/providers/Microsoft.DevCenter/devcenters`)).value.map((d: any) => d.name),
      ['dc1'],
    );
    assert.deepStrictEqual(
      (await get(`${DC}/devboxdefinitions`)).value.map((d: any) => d.name).sort(),
      ['gen1', 'latest', 'multi', 'pinned'],
    );
  });
});
