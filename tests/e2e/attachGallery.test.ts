import * as assert from 'assert';
import { RunningSim, startSimulator } from '../sim';
import {
  DC_PRINCIPAL,
  DEVCENTER,
  devBoxScenario,
  GALLERY,
  ROLES,
  rolesOnGallery,
  runAttach,
  W365,
  writesSince,
} from './attachGalleryFixtures';

/**
 * AttachGalleryToDevCenter through the runner (the bundle, as an agent runs it) against the
 * simulator: the four lines of issue 14's "Done when" (the demo's is in demo.test.ts), then bad
 * input, each with zero writes.
 */
const MAIN = { devCenter: 'dc-main', resourceGroup: 'rg-devbox', gallery: GALLERY };

describe('e2e: AttachGalleryToDevCenter', function () {
  this.timeout(120_000);
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({ scenario: devBoxScenario() });
  });
  after(async () => {
    await sim?.stop();
  });

  it(
    'Done when 1: check names the Gen1 image and its rule and writes nothing; with the ' +
      'compliant image named, the gallery is attached, both role assignments exist, a dev box ' +
      'definition is created and validates; a second run writes nothing',
    async () => {
      let before = sim.state().requests.length;
      const check = await runAttach(sim, { ...MAIN, action: 'check' });
      assert.strictEqual(check.result, 'SucceededWithIssues', check.stdout);
      assert.match(check.stdout, /legacy-gen1: Hyper-V generation V1; Dev Box needs V2/);
      assert.match(check.stdout, /Would do \(check: nothing is changed\): 3 to create, 1 to keep/);
      assert.deepStrictEqual(writesSince(check.state, before), [], 'check writes nothing');

      before = sim.state().requests.length;
      const attach = await runAttach(sim, {
        ...MAIN,
        image: 'win11-devbox',
        devBoxDefinition: 'win11-8c32gb',
      });
      assert.strictEqual(attach.result, 'Succeeded', attach.stdout);
      const attachment = `${DEVCENTER}/dc-main/galleries/gal_devbox`;
      assert.strictEqual(attach.outputs.galleryAttachmentId, attachment);
      assert.strictEqual(
        attach.outputs.devBoxDefinitionId,
        `${DEVCENTER}/dc-main/devboxdefinitions/win11-8c32gb`,
      );
      assert.strictEqual(attach.outputs.imageValidationStatus, 'Succeeded');
      assert.strictEqual(attach.outputs.imageReference, `${attachment}/images/win11-devbox`);
      assert.strictEqual(rolesOnGallery(attach.state, DC_PRINCIPAL, ROLES.contributor).length, 1);
      assert.strictEqual(rolesOnGallery(attach.state, W365, ROLES.reader).length, 1);
      const byId = (id: string) =>
        attach.state.resources.find((r) => r.id.toLowerCase() === id.toLowerCase());
      assert.strictEqual(byId(attachment)?.properties.galleryResourceId, GALLERY);
      const definition = byId(attach.outputs.devBoxDefinitionId);
      assert.deepStrictEqual(
        [definition?.properties.sku.name, definition?.properties.osStorageType],
        ['general_i_8c32gb256ssd_v2', 'ssd_256gb'],
      );
      const assignments = `${GALLERY}/providers/Microsoft.Authorization/roleAssignments`;
      assert.deepStrictEqual(
        writesSince(attach.state, before).map(
          (q) =>
            `${q.method} ${q.path.split('?')[0].replace(/roleAssignments\/.*/, 'roleAssignments')}`,
        ),
        [
          `PUT ${assignments}`,
          `PUT ${assignments}`,
          `PUT ${attachment}`,
          `PUT ${attach.outputs.devBoxDefinitionId}`,
        ],
      );

      before = sim.state().requests.length;
      const again = await runAttach(sim, {
        ...MAIN,
        image: 'win11-devbox',
        devBoxDefinition: 'win11-8c32gb',
      });
      assert.strictEqual(again.result, 'Succeeded', again.stdout);
      assert.match(again.stdout, /Plan \(nothing is changed yet\): nothing to change/);
      assert.deepStrictEqual(writesSince(again.state, before), [], 'the second run writes nothing');
      assert.strictEqual(again.outputs.imageValidationStatus, 'Succeeded');
    },
  );
});
