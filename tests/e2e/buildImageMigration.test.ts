import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_CONNECTION_ID } from '../../scripts/runner/runner';
import { IMAGE_WIN, RG, UAI } from '../sim/domain/support';
import {
  AIB_PRINCIPAL,
  assignment,
  rbacResources,
  ROLES,
  runBuildImage,
  scenario,
  simulatorFor,
  storageAccount,
  templates,
  warnings,
  writesSince,
} from './buildImageFixtures';

/**
 * Migration from Microsoft's AzureImageBuilderTask@1: its YAML steps, with only the task name
 * changed, run as BuildImage through the runner (aliases resolved and task.json defaults filled as
 * the agent does) against the simulator. The step is the Microsoft docs' README sample plus
 * managedIdentity, which later versions of that task require; pollInterval is the only input added,
 * to keep the test fast.
 */
const ACCOUNT = storageAccount('teamartifacts');
const MANAGED = `${RG}/providers/Microsoft.Compute/images/win11-golden`;

const MICROSOFT_STEP = {
  managedIdentity: UAI,
  imageSource: 'marketplace',
  baseImage: 'MicrosoftWindowsDesktop:windows-11:win11-23h2-ent:windows',
  provisioner: 'powershell',
  windowsUpdateProvisioner: 'true',
  packagePath: 'wvd/images',
  inlineScript: "& 'c:\\buildartifacts\\images\\scripts\\base-installs.ps1'",
  storageAccountName: 'teamartifacts',
  distributeType: 'sig',
  galleryImageId: IMAGE_WIN,
  replicationRegions: 'westeurope,northeurope',
  // The server passes a connection's id where the YAML names it.
  ibSubscription: DEFAULT_CONNECTION_ID,
  ibAzureResourceGroup: 'rg-img',
  ibLocation: 'westeurope',
  vmSize: 'Standard_DS4_v2',
};

describe("e2e: BuildImage runs the Microsoft AzureImageBuilderTask's steps", function () {
  this.timeout(120_000);
  const world = simulatorFor(
    scenario({
      resources: rbacResources(
        ACCOUNT,
        // As that task's users set it up (Contributor on the group), plus what this task checks:
        // Image Builder's identity reads the account's blobs.
        assignment(RG, ROLES.contributor, AIB_PRINCIPAL),
        assignment(ACCOUNT.id, ROLES.blobReader, AIB_PRINCIPAL),
      ),
    }),
  );
  let workdir: string;

  before(() => {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-migration-'));
    fs.mkdirSync(path.join(workdir, 'wvd', 'images', 'scripts'), { recursive: true });
    fs.writeFileSync(
      path.join(workdir, 'wvd', 'images', 'scripts', 'base-installs.ps1'),
      'Write-Host "installing the base apps"\n',
    );
  });
  after(() => {
    fs.rmSync(workdir, { recursive: true, force: true });
  });

  const run = (inputs: Record<string, string>) =>
    runBuildImage(world.sim, { ...inputs, pollInterval: '250ms' }, { workdir });

  it(
    'the README sample builds and publishes a gallery version in both regions, with its ' +
      'artifacts, script and Windows Update; $(imageUri) and $(pirPublisher) are set as that ' +
      'task set them',
    async () => {
      const r = await run(MICROSOFT_STEP);
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      const version = r.outputs.imageVersionId ?? '';
      assert.match(version, /\/galleries\/gal\/images\/win11\/versions\/\d+\.\d+\.\d+$/);
      assert.strictEqual(r.variables.imageUri, version);
      assert.strictEqual(r.variables.pirPublisher, 'MicrosoftWindowsDesktop');
      assert.strictEqual(r.variables.pirOffer, 'windows-11');
      assert.strictEqual(r.variables.pirSku, 'win11-23h2-ent');
      assert.match(r.variables.pirVersion ?? '', /^\d+\.\d+\.\d+$/);
      assert.match(
        r.stdout,
        new RegExp(
          'Source: marketplace image MicrosoftWindowsDesktop:windows-11:win11-23h2-ent:latest ' +
            'is version \\d+',
        ),
      );
      // What ran, in that task's order: the artifacts, the inline script, Windows Update with its
      // settings.
      assert.match(
        r.stdout,
        new RegExp(
          'Customizer \\d of 5: artifacts-download \\(File, https:\\/\\/[^ ]*teamartifacts[^ ' +
            (']*\\/buildimage-artifacts\\/artifacts\\/images-[0-9a-f]+\\.zip -> ' +
              'C:\\\\BuildArtifacts\\\\i') +
            'mages\\.zip\\)',
        ),
      );
      assert.match(r.stdout, /Build artifacts unpacked to C:\\BuildArtifacts\\images/);
      assert.match(r.stdout, /Customizer \d of 5: inline-script \(PowerShell, 1 line\)/);
      assert.match(r.stdout, /Customizer 5 of 5: windows-update \(WindowsUpdate\)/);
      assert.match(r.stdout, /"searchCriteria": "IsInstalled=0"/);
      assert.match(r.stdout, /"exclude:\$_\.Title -like '\*Preview\*'"/);
      assert.match(r.stdout, /"vmSize": "Standard_DS4_v2"/);
      const published = r.state.resources.find((x) => x.id === version)!;
      const regions = (
        published.properties.publishingProfile.targetRegions as { name: string }[]
      ).map((t) => t.name.toLowerCase().replace(/\s/g, ''));
      assert.deepStrictEqual(regions.sort(), ['northeurope', 'westeurope']);
      assert.deepStrictEqual(templates(r.state), [], 'no template left');
    },
  );

  it(
    'distributeType managedImage: the managed image imageIdForDistribute names, in ' +
      'managedImageLocation; galleryImageId is ignored with a warning',
    async () => {
      const r = await run({
        ...MICROSOFT_STEP,
        distributeType: 'managedImage',
        imageIdForDistribute: MANAGED,
        managedImageLocation: 'westeurope',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.strictEqual(r.outputs.managedImageId, MANAGED);
      assert.strictEqual(r.outputs.imageVersionId, undefined);
      assert.strictEqual(r.variables.imageUri, MANAGED);
      assert.ok(
        r.state.resources.some((x) => x.id.toLowerCase() === MANAGED.toLowerCase()),
        'the managed image exists',
      );
      assert.ok(
        warnings(r).includes("galleryImageId is ignored: distributeType is 'managedImage'."),
        warnings(r).join('\n'),
      );
    },
  );

  it(
    'distributeType vhd: a VHD, and the template is kept since its staging group holds the ' +
      'VHD',
    async () => {
      const r = await run({
        ...MICROSOFT_STEP,
        distributeType: 'vhd',
        windowsUpdateProvisioner: 'false',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(r.outputs.vhdUri ?? '', /^https:\/\/.+\.vhd$/);
      assert.strictEqual(r.variables.imageUri, r.outputs.vhdUri);
      assert.ok(
        templates(r.state).some((t) => t.name === r.outputs.templateName),
        'template kept',
      );
      assert.ok(
        warnings(r).some((w) =>
          /distributeType vhd without vhdUri: .*the template is kept/.test(w),
        ),
        warnings(r).join('\n'),
      );
    },
  );

  it(
    "a legacy input and this task's input that disagree fail before anything is written, " +
      'naming both',
    async () => {
      const before = world.sim.state().requests.length;
      for (const [extra, pattern] of [
        [
          {
            distributeType: 'managedImage',
            imageIdForDistribute: MANAGED,
            managedImageId: `${MANAGED}-2`,
          },
          new RegExp(
            "Input 'imageIdForDistribute': '.*win11-golden' and managedImageId '.*win11-golden-2" +
              "' both give the managed image to create and disagree",
          ),
        ],
        [
          { galleryImageDefinitionId: `${IMAGE_WIN}-2` },
          new RegExp(
            "Input 'galleryImageId': '.*win11' and galleryImageDefinitionId '.*win11-2' " +
              'both give the gallery image definition and disagree',
          ),
        ],
      ] as [Record<string, string>, RegExp][]) {
        const r = await run({ ...MICROSOFT_STEP, ...extra });
        assert.strictEqual(r.result, 'Failed', r.stdout);
        assert.match(r.message ?? '', pattern);
      }
      assert.deepStrictEqual(writesSince(world.sim.state(), before), [], 'nothing written');
    },
  );
});
