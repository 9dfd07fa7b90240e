import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IMAGE_LINUX } from '../sim/domain/support';
import {
  armDeployment,
  COMMON,
  runBuildImage,
  scenario,
  sentTemplate,
  simulatorFor,
  UBUNTU_SOURCE,
  warnings,
  writesSince,
} from './buildImageFixtures';

/**
 * Template files as they are published (issue 15 item 4), through the runner against the
 * simulator: `uniqueString()` and `guid()` evaluated as ARM evaluates them; a location parameter
 * left without a value takes the location input's value when that is all it feeds, with a note;
 * a template file that is a symbolic link out of the sources folder is refused before any write.
 */

/**
 * Values Azure Resource Manager itself returned for uniqueString(), from deployments of a template
 * whose outputs call it, as recorded in KingslandConsulting/Kingsland.ArmLinter,
 * src/Kingsland.ArmLinter/Functions/ArmFunctions_UniqueString.cs ("example output").
 */
const ARM_UNIQUE_STRING = { aaa: 'zavj67f3en4hc', xyz: 'lghi7k5js7itq' };
/**
 * The same, from microsoft/commercial-marketplace-offer-deploy, test/Tests/UnitTests
 * ArmFunctionsTests.cs ("valueFromArmTemplate", the ARM output for a VM's resource id).
 */
const ARM_VM_ID =
  '/subscriptions/31e9f9a0-9fd2-4294-a0a3-0101246d9700/resourceGroups/rg-modm201-20230913120256' +
  '/providers/Microsoft.Compute/virtualMachines/bobjacmodm201';
const ARM_VM_UNIQUE_STRING = 'yvjxno3je5on2';
/**
 * guid('abc') and guid('rg-img', 'aib'): no value ARM returned for guid() was found in the public
 * material searched, so these are RFC 4122 §4.3 version-5 UUIDs (the algorithm ARM's documentation
 * names) in ARM's namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830 of the arguments joined with '-',
 * computed independently of the task with Python's uuid.uuid5.
 */
const GUID_ABC = 'a9b46cc2-65a6-5559-9f14-7091827ab32f';
const GUID_RG_AIB = 'a2a7aeef-a83e-5bf3-be17-4ec27b30b8d9';

const imageTemplate = (location: string, distribute: object) => ({
  type: 'Microsoft.VirtualMachineImages/imageTemplates',
  apiVersion: '2024-02-01',
  name: 'published',
  location,
  properties: {
    source: UBUNTU_SOURCE,
    customize: [{ type: 'Shell', name: 'hello', inline: ['echo hello'] }],
    distribute: [distribute],
  },
});
const gallery = (runOutputName: string, extra: object = {}) => ({
  type: 'SharedImage',
  galleryImageId: IMAGE_LINUX,
  runOutputName,
  targetRegions: [{ name: 'westeurope' }],
  ...extra,
});

describe('e2e: BuildImage template files as published (functions, location, links)', function () {
  this.timeout(120_000);
  const world = simulatorFor(scenario());
  let root: string;
  let repo: string;
  const write = (rel: string, doc: unknown) => {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), JSON.stringify(doc, null, 2));
  };

  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-published-')));
    repo = path.join(root, 's');
    write(
      'hashes.json',
      armDeployment(
        {},
        imageTemplate(
          'westeurope',
          gallery("[uniqueString('xxx', 'yyy', 'zzz')]", {
            artifactTags: {
              aaa: "[uniqueString('aaa')]",
              vm: `[uniqueString('${ARM_VM_ID}')]`,
              abc: "[guid('abc')]",
              two: "[guid(resourceGroup().name, 'aib')]",
            },
          }),
        ),
      ),
    );
    write(
      'svclocation.json',
      armDeployment(
        { svclocation: { type: 'string' } },
        imageTemplate("[parameters('svclocation')]", gallery('sig')),
      ),
    );
    write(
      'svclocation-distribute.json',
      armDeployment(
        { svcLocation: { type: 'string' } },
        imageTemplate(
          "[parameters('svcLocation')]",
          gallery('sig', { targetRegions: [{ name: "[parameters('svcLocation')]" }] }),
        ),
      ),
    );
    fs.writeFileSync(
      path.join(root, 'outside.json'),
      JSON.stringify(armDeployment({}, imageTemplate('westeurope', gallery('sig')))),
    );
    fs.symlinkSync(path.join(root, 'outside.json'), path.join(repo, 'linked.json'));
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const run = (templateFile: string) =>
    runBuildImage(world.sim, { ...COMMON, templateFile }, { workdir: repo });

  it("evaluates uniqueString() and guid() to the values ARM gives (ARM's outputs)", async () => {
    const r = await run('hashes.json');
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    const sent = sentTemplate(r)?.body as {
      properties: { distribute: { runOutputName: string; artifactTags: Record<string, string> }[] };
    };
    const dist = sent.properties.distribute[0];
    assert.strictEqual(dist.runOutputName, ARM_UNIQUE_STRING.xyz);
    const { aaa, vm, abc, two } = dist.artifactTags;
    assert.deepStrictEqual(
      { aaa, vm, abc, two },
      { aaa: ARM_UNIQUE_STRING.aaa, vm: ARM_VM_UNIQUE_STRING, abc: GUID_ABC, two: GUID_RG_AIB },
    );
  });

  it('an unset location parameter takes the location input if it sets only that', async () => {
    const r = await run('svclocation.json');
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    assert.strictEqual((sentTemplate(r)?.body as { location: string }).location, 'westeurope');
    assert.ok(
      warnings(r).some((w) =>
        w.includes(
          "parameter 'svclocation' has no value; it only sets the template's location, which " +
            "the location input decides, so it takes 'westeurope'",
        ),
      ),
      r.stdout,
    );
  });

  it('one that feeds more is still refused, naming it, before any write', async () => {
    const from = world.sim.state().requests.length;
    const r = await run('svclocation-distribute.json');
    assert.strictEqual(r.result, 'Failed');
    assert.match(
      r.stdout,
      new RegExp(
        "result=Failed;[^\\]]*\\]Input 'templateFile': .*properties\\.distribute\\[0\\]" +
          "\\.targetRegions\\[0\\]\\.name: parameter 'svcLocation' has no value: give it " +
          'in templateParameters',
      ),
    );
    assert.deepStrictEqual(writesSince(world.sim.state(), from), []);
  });

  it('a template file linked to outside the sources folder is refused before writing', async () => {
    const from = world.sim.state().requests.length;
    const r = await run('linked.json');
    assert.strictEqual(r.result, 'Failed');
    assert.match(
      r.stdout,
      new RegExp(
        "result=Failed;[^\\]]*\\]Input 'templateFile': '[^']*linked\\.json' is a symbolic " +
          'link that points outside .*outside\\.json',
      ),
    );
    assert.deepStrictEqual(writesSince(world.sim.state(), from), []);
  });
});
