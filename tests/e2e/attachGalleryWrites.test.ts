import * as assert from 'assert';
import { RunningSim, Scenario, startSimulator } from '../sim';
import {
  DEVCENTER,
  devBoxScenario,
  GALLERY,
  RG,
  ROLES,
  rolesOnGallery,
  runAttach,
  writesSince,
} from './attachGalleryFixtures';

/**
 * AttachGalleryToDevCenter's writes beyond the Done-when lines: an identity added to a dev center
 * that has none (and the attach retried while its new role reaches Dev Box), a definition whose
 * image fails Dev Box's validation (deleted again), several identities with none chosen, and a
 * gallery name taken by another gallery (both refused before any write).
 */
const UAI = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`;
const uai = (name: string, n: number) => ({
  id: `${UAI}/${name}`,
  type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  location: 'westeurope',
  properties: {
    principalId: `ad000000-0000-4000-8000-00000000000${n}`,
    clientId: `ac000000-0000-4000-8000-00000000000${n}`,
  },
});

function scenario(): Scenario {
  const base = devBoxScenario();
  const other = `${RG}/providers/Microsoft.Compute/galleries/gal_other`;
  return {
    ...base,
    // A role assignment made through the API reaches Dev Box after 1.5 s (300 s nominal).
    rbacPropagationSeconds: 300,
    resources: [
      ...base.resources!,
      uai('uai-devbox', 1),
      uai('uai-a', 2),
      uai('uai-b', 3),
      {
        id: `${DEVCENTER}/dc-noid`,
        type: 'Microsoft.DevCenter/devcenters',
        location: 'westeurope',
        properties: {},
      },
      {
        id: `${DEVCENTER}/dc-two`,
        type: 'Microsoft.DevCenter/devcenters',
        location: 'westeurope',
        identity: {
          type: 'UserAssigned',
          userAssignedIdentities: { [`${UAI}/uai-a`]: {}, [`${UAI}/uai-b`]: {} },
        },
        properties: {},
      },
      { id: other, type: 'Microsoft.Compute/galleries', location: 'westeurope' },
      {
        id: `${DEVCENTER}/dc-main/galleries/gal_devbox`,
        type: 'Microsoft.DevCenter/devcenters/galleries',
        properties: { galleryResourceId: other },
      },
    ],
  };
}

const IMAGE = { resourceGroup: 'rg-devbox', gallery: GALLERY, image: 'win11-devbox' };

describe('e2e: AttachGalleryToDevCenter writes', function () {
  this.timeout(120_000);
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({ scenario: scenario() });
  });
  after(async () => {
    await sim?.stop();
  });

  it(
    'adds the identity to a dev center that has none, and retries the attach while its new ' +
      'role reaches Dev Box',
    async () => {
      const r = await runAttach(sim, { ...IMAGE, devCenter: 'dc-noid', identity: 'uai-devbox' });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(r.stdout, /update {2}dev center dc-noid — it has no managed identity/);
      assert.match(r.stdout, /does not see the dev center identity's new role on the gallery yet/);
      const dc = r.state.resources.find((x) => x.id === `${DEVCENTER}/dc-noid`)!;
      assert.deepStrictEqual(Object.keys(dc.identity.userAssignedIdentities), [
        `${UAI}/uai-devbox`,
      ]);
      const principal = 'ad000000-0000-4000-8000-000000000001';
      assert.strictEqual(rolesOnGallery(r.state, principal, ROLES.contributor).length, 1);
      assert.strictEqual(
        r.outputs.galleryAttachmentId,
        `${DEVCENTER}/dc-noid/galleries/gal_devbox`,
      );
    },
  );

  it(
    "an image that fails Dev Box's validation (requirements only warned) fails the task with " +
      'its details, and the definition it created is deleted',
    async () => {
      const r = await runAttach(sim, {
        ...IMAGE,
        devCenter: 'dc-noid',
        identity: 'uai-devbox',
        image: 'legacy-gen1',
        onRequirementFailure: 'warn',
        devBoxDefinition: 'legacy-def',
      });
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(r.stdout, /legacy-gen1: Hyper-V generation V1; Dev Box needs V2/);
      assert.match(
        r.message ?? '',
        new RegExp(
          'image validation of .*/images/legacy-gen1 ended Failed \\(.+\\); the dev box ' +
            'definition this run created was deleted\\.',
        ),
      );
      assert.ok(
        !r.state.resources.some((x) => /\/devboxdefinitions\/legacy-def$/i.test(x.id)),
        'definition deleted',
      );
    },
  );

  it('cancelled while Dev Box validates the image: the definition it made is deleted', async () => {
    const cancel = new AbortController();
    const r = await runAttach(
      sim,
      { ...IMAGE, devCenter: 'dc-noid', identity: 'uai-devbox', devBoxDefinition: 'cancelled-def' },
      {
        signal: cancel.signal,
        onOutput: (chunk) => {
          if (/Image validation: Pending/.test(chunk)) cancel.abort();
        },
      },
    );
    assert.strictEqual(r.result, 'Cancelled', r.stdout);
    assert.match(r.stdout, /the dev box definition this run created was deleted/);
    assert.ok(
      !r.state.resources.some((x) => /\/devboxdefinitions\/cancelled-def$/i.test(x.id)),
      'definition deleted',
    );
  });

  it('check by a connection that may not grant the roles warns attach would stop', async () => {
    const before = sim.state().requests.length;
    const r = await runAttach(
      sim,
      {
        ...IMAGE,
        devCenter: 'dc-net',
        image: 'win11-avd',
        onRequirementFailure: 'warn',
        action: 'check',
      },
      { auth: 'msi' },
    );
    assert.strictEqual(r.result, 'SucceededWithIssues', r.stdout);
    assert.match(r.stdout, /action: attach would stop here: .* may not create role assignments/);
    assert.deepStrictEqual(writesSince(r.state, before), []);
  });

  it('no image named: fails only when none qualifies, naming every broken rule', async () => {
    const before = sim.state().requests.length;
    const r = await runAttach(sim, {
      resourceGroup: 'rg-devbox',
      gallery: GALLERY,
      devCenter: 'dc-net',
    });
    assert.strictEqual(r.result, 'Failed', r.stdout);
    const message = r.message ?? '';
    assert.match(
      message,
      /^No image of the gallery meets Dev Box's requirements \(nothing was changed\)/,
    );
    for (const rule of [
      'win11-devbox: version 1.0.0 is not replicated to northeurope',
      'legacy-gen1: Hyper-V generation V1; Dev Box needs V2',
      'win11-avd: offer/sku windows-11/win11-24h2-avd is multi-session',
    ])
      assert.ok(message.includes(rule), `${rule} in ${message}`);
    assert.deepStrictEqual(writesSince(r.state, before), []);
  });

  it('several identities and none chosen fails naming them, writing nothing', async () => {
    const before = sim.state().requests.length;
    const r = await runAttach(sim, { ...IMAGE, devCenter: 'dc-two' });
    assert.strictEqual(r.result, 'Failed', r.stdout);
    assert.match(
      r.message ?? '',
      new RegExp(
        "^Input 'identity': dev center dc-two has several user-assigned identities and none " +
          'is chosen: uai-a, uai-b',
      ),
    );
    assert.deepStrictEqual(writesSince(r.state, before), []);
  });

  it('a gallery name another gallery holds is refused naming both, writing nothing', async () => {
    const before = sim.state().requests.length;
    const r = await runAttach(sim, { ...IMAGE, devCenter: 'dc-main' });
    assert.strictEqual(r.result, 'Failed', r.stdout);
    assert.match(
      r.message ?? '',
      new RegExp(
        "already has a gallery named 'gal_devbox', attached to .*/galleries/gal_other, not to " +
          '.*/galleries/gal_devbox\\. Give galleryName another name',
      ),
    );
    assert.deepStrictEqual(writesSince(r.state, before), []);
  });
});
