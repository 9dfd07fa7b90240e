import * as assert from 'assert';
import { RunningSim, SIM_IDS, startSimulator } from '../sim';
import {
  DC_NET_PRINCIPAL,
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
      assert.match(attach.stdout, /New dev boxes of pool\(s\) proj-a\/pool-a get this image\./);
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

  it(
    'Done when 2: a connection that may not create role assignments fails before any write, ' +
      'naming principal, role, scope and the command; without Graph rights and no ' +
      'windows365PrincipalId, the failure names it',
    async () => {
      const inputs = {
        ...MAIN,
        devCenter: 'dc-net',
        image: 'win11-avd',
        onRequirementFailure: 'warn',
      };
      let before = sim.state().requests.length;
      const refused = await runAttach(sim, inputs, { auth: 'msi' });
      assert.strictEqual(refused.result, 'Failed', refused.stdout);
      const message = refused.message ?? '';
      assert.match(message, /may not create role assignments on the gallery/);
      // Windows 365's Reader was granted by the first test (same gallery): only this is missing.
      assert.ok(
        message.includes(
          `az role assignment create --assignee-object-id ${DC_NET_PRINCIPAL} ` +
            `--assignee-principal-type ServicePrincipal --role "Contributor" --scope ${GALLERY}`,
        ),
        message,
      );
      assert.match(message, new RegExp(`needs role 'Contributor' on scope ${GALLERY}`));
      assert.deepStrictEqual(writesSince(refused.state, before), [], 'nothing written');

      before = sim.state().requests.length;
      const noGraph = await runAttach(sim, inputs, { auth: 'wif' });
      assert.strictEqual(noGraph.result, 'Failed', noGraph.stdout);
      assert.match(
        noGraph.message ?? '',
        new RegExp(
          "^Input 'windows365PrincipalId': not given, and the task could not look the Windows " +
            '365 service principal up in Microsoft Graph .*Application\\.Read\\.All.*az ad sp ' +
            'show --id 0af06dc6-e4b5-4f28-818e-e78e62d137a5 --query id -o tsv',
        ),
      );
      assert.deepStrictEqual(writesSince(noGraph.state, before), [], 'nothing written');
    },
  );

  it(
    "Done when 3: an image not replicated to a network connection's region fails naming the " +
      'region; a multi-session image is refused as multi-session; both write nothing',
    async () => {
      let before = sim.state().requests.length;
      const region = await runAttach(sim, { ...MAIN, devCenter: 'dc-net', image: 'win11-devbox' });
      assert.strictEqual(region.result, 'Failed', region.stdout);
      assert.match(
        region.message ?? '',
        new RegExp(
          'win11-devbox: version 1\\.0\\.0 is not replicated to northeurope \\(network ' +
            'connection nc-north\\); add that region with a DistributeToGallery step: action: ' +
            'replicate',
        ),
      );
      assert.deepStrictEqual(writesSince(region.state, before), [], 'nothing written');

      before = sim.state().requests.length;
      const multi = await runAttach(sim, { ...MAIN, devCenter: 'dc-net', image: 'win11-avd' });
      assert.strictEqual(multi.result, 'Failed', multi.stdout);
      assert.match(
        multi.message ?? '',
        new RegExp(
          'win11-avd: offer/sku windows-11/win11-24h2-avd is multi-session; Dev Box needs a ' +
            'single-session image',
        ),
      );
      assert.deepStrictEqual(writesSince(multi.state, before), [], 'nothing written');
    },
  );

  describe('bad input: one message each, zero writes', () => {
    const refuses = async (inputs: Record<string, string>, message: RegExp) => {
      const before = sim.state().requests.length;
      const r = await runAttach(sim, inputs);
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', message);
      assert.deepStrictEqual(writesSince(r.state, before), [], 'nothing written');
    };

    it('no such dev center', () =>
      refuses(
        { ...MAIN, devCenter: 'dc-none' },
        /^Input 'devCenter': no dev center 'dc-none' in resource group 'rg-devbox'/,
      ));

    it('a gallery missing or not visible to the connection (the message says both)', async () => {
      const seeBoth = new RegExp(
        "^Input 'gallery': the gallery 'gal_(none|other)' .* does not exist, or the service " +
          'connection cannot see it \\(a gallery in another tenant',
      );
      await refuses({ ...MAIN, gallery: GALLERY.replace('gal_devbox', 'gal_none') }, seeBoth);
      await refuses(
        {
          ...MAIN,
          gallery: GALLERY.replace(
            SIM_IDS.subscriptionId,
            '00000000-0000-4000-8000-0000000000aa',
          ).replace('gal_devbox', 'gal_other'),
        },
        seeBoth,
      );
    });

    it('an unknown sku (against the skus list)', () =>
      refuses(
        { ...MAIN, image: 'win11-devbox', devBoxDefinition: 'win11-dev', sku: 'general_i_99c' },
        /^Input 'sku': Dev Box does not offer a sku 'general_i_99c' .*general_i_8c32gb256ssd_v2/,
      ));

    it('a dev box definition name Dev Box rejects', () =>
      refuses(
        { ...MAIN, image: 'win11-devbox', devBoxDefinition: 'a b' },
        /^Input 'devBoxDefinition': 'a b' is not valid\. Expected a dev box definition name: 3/,
      ));
  });
});
