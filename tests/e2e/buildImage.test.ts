import * as assert from 'assert';
import { blobService, IMAGE_LINUX, RG, SUB } from '../sim/domain/support';
import {
  inline,
  LINUX,
  runBuildImage,
  scenario,
  simulatorFor,
  stagingGroupLeft,
  templates,
  WINDOWS,
  writesSince,
} from './buildImageFixtures';
import { printedOf, stagingLog } from './buildLog';

/**
 * BuildImage through the runner (the bundle, as an agent runs it) against the simulator: a Windows
 * build from inputs with its log live (every line exactly once, checked against customization.log),
 * a Linux build to three targets that leaves nothing behind, a failing customiser, Ctrl+C, a rerun
 * of a succeeded job, and bad input before any write.
 */
const MANAGED = `${RG}/providers/Microsoft.Compute/images/ubuntu-golden`;

describe('e2e: BuildImage', function () {
  this.timeout(120_000);
  const world = simulatorFor(scenario());

  const run = (
    inputs: Record<string, string>,
    extra: { signal?: AbortSignal; onOutput?: (c: string) => void } = {},
  ) => runBuildImage(world.sim, inputs, extra);

  it(
    'builds Windows from inputs (inline PowerShell, restart, Windows Update) into a gallery ' +
      'version; every log line printed exactly once',
    async () => {
      const r = await run({
        ...WINDOWS,
        ...inline('Write-Host "hello from the build"\nWrite-Output "second line"'),
        runElevated: 'true',
        restart: 'true',
        windowsUpdate: 'true',
        windowsUpdateSearchCriteria: 'IsInstalled=0',
        targetRegions: 'westeurope, northeurope=2',
        keepTemplate: 'true',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(
        r.outputs.imageVersionId ?? '',
        /\/galleries\/gal\/images\/win11\/versions\/1\.0\.0$/,
      );
      assert.strictEqual(r.outputs.runState, 'Succeeded');
      assert.strictEqual(r.outputs.pirPublisher, 'MicrosoftWindowsDesktop');
      assert.match(r.outputs.pirVersion ?? '', /^\d+\.\d+\.\d+$/);
      assert.match(
        r.stdout,
        new RegExp(
          'Source: marketplace image MicrosoftWindowsDesktop:windows-11:win11-23h2-ent:latest ' +
            'is version \\d+',
        ),
      );
      for (const phase of ['Building', 'Customizing', 'Distributing'])
        assert.match(r.stdout, new RegExp(`Image Builder: ${phase}`));
      assert.match(
        r.stdout,
        /##\[group\]Customizer 1 of 3: inline-script \(PowerShell, elevated, 2 lines\)/,
      );
      assert.match(r.stdout, /##\[group\]Customizer 3 of 3: windows-update \(WindowsUpdate\)/);
      assert.match(r.stdout, /##vso\[task\.uploadsummary\]/);

      // The template is kept: read customization.log from its staging account and compare.
      const written = await stagingLog(world.sim, r);
      assert.ok(written.length > 60, `${written.length} lines`);
      assert.deepStrictEqual(printedOf(r, written), written, 'every line printed once, in order');
      assert.match(r.stdout, new RegExp(`Build log: ${written.length} lines printed`));
    },
  );

  it(
    'builds Linux to a gallery version, a managed image and a VHD; the template is kept ' +
      'while the VHD lives in its staging group',
    async () => {
      const r = await run({
        ...LINUX,
        ...inline('echo "linux build"'),
        managedImageId: MANAGED,
        vhd: 'true',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(r.outputs.imageVersionId ?? '', /\/images\/ubuntu\/versions\/1\.0\.0$/);
      assert.strictEqual(r.outputs.managedImageId, MANAGED);
      assert.match(r.outputs.vhdUri ?? '', /^https:\/\/.*\.vhd$/);
      assert.strictEqual(r.outputs.runOutputNames, 'galleryImageVersion,managedImage,vhd');
      const name = r.outputs.templateName;
      assert.ok(
        templates(r.state).some((t) => t.name === name),
        'template kept: deleting it would delete the VHD',
      );
      assert.match(
        r.stdout,
        new RegExp(
          "task\\.issue type=warning[^\\]]*\\]The VHD https:\\S+\\.vhd is in Image Builder's " +
            'staging resource group, which is deleted with the image template: template \\S+ ' +
            'is kept',
        ),
      );
      const vhd = new URL(r.outputs.vhdUri);
      const [account, container, ...blob] = vhd.pathname.slice(1).split('/');
      const stagingAccount = r.state.resources.find(
        (x) => x.type === 'Microsoft.Storage/storageAccounts' && x.name === account,
      )!;
      assert.ok(
        await (
          await blobService(world.sim, stagingAccount.id)
        )
          .getContainerClient(container)
          .getBlobClient(blob.join('/'))
          .exists(),
        'the VHD is there',
      );
      const version = r.state.resources.find((x) => x.id === r.outputs.imageVersionId)!;
      assert.strictEqual(version.tags['gip.template'], name);
      assert.strictEqual(version.tags['gip.job'], 'Build/Image');
    },
  );

  it('a rerun of a succeeded job outputs the version it made, building nothing', async () => {
    const inputs = { ...LINUX, ...inline('echo "linux build"'), managedImageId: `${MANAGED}-2` };
    const again = await run(inputs);
    assert.strictEqual(again.result, 'Succeeded', again.stdout);
    const mid = world.sim.state().requests.length;
    const third = await run(inputs);
    assert.strictEqual(third.result, 'Succeeded', third.stdout);
    assert.match(third.stdout, /This job's build already succeeded/);
    assert.strictEqual(third.outputs.imageVersionId, again.outputs.imageVersionId);
    assert.deepStrictEqual(writesSince(third.state, mid), [], 'nothing written');
    assert.match(again.stdout, /Creating image template/);
    const name = again.outputs.templateName;
    assert.ok(!templates(again.state).some((t) => t.name === name), 'template deleted');
    assert.ok(!stagingGroupLeft(again.state, name), 'staging group deleted');
  });

  it('a failing customiser fails the task: its lines as errors, full log attached', async () => {
    const r = await run({
      ...LINUX,
      ...inline('echo "about to fail"\necho "disk is full" >&2\nexit 3'),
    });
    assert.strictEqual(r.result, 'Failed', r.stdout);
    assert.match(r.message ?? '', /failed: Failed while waiting for packerizer/);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('##vso[task.issue type=error'));
    assert.ok(
      errors.some((l) => l.endsWith('disk is full')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((l) => /Script exited with non-zero exit status: 3/.test(l)),
      errors.join('\n'),
    );
    assert.match(
      r.stdout,
      /##vso\[task\.addattachment type=BuildImage\.log;name=customization-gip-[^;]+\.log;\]/,
    );
    assert.strictEqual(
      templates(r.state).filter((t) => t.properties?.lastRunStatus?.runState === 'Failed').length,
      0,
      'failed template deleted',
    );
  });

  it(
    'Ctrl+C mid-build ends Cancelled, with the Image Builder run cancelled and the template ' +
      'deleted',
    async () => {
      const controller = new AbortController();
      const r = await run(
        { ...LINUX, ...inline('echo "long step"\nsleep 5000') },
        {
          signal: controller.signal,
          onOutput: (chunk) => {
            if (/azure-arm: long step/.test(chunk)) controller.abort();
          },
        },
      );
      assert.strictEqual(r.result, 'Cancelled', r.stdout);
      const name = /Creating image template (\S+) in/.exec(r.stdout)?.[1] ?? '';
      assert.ok(name, r.stdout);
      const cancels = r.state.requests.filter(
        (q) => q.method === 'POST' && q.path.includes(`/imageTemplates/${name}/cancel`),
      );
      assert.strictEqual(cancels.length, 1, 'cancel sent once');
      assert.ok(!templates(r.state).some((t) => t.name === name), 'template deleted');
      assert.ok(r.durationMs < 20_000);
    },
  );

  it('bad input fails before any write, naming the input', async () => {
    const before = world.sim.state().requests.length;
    for (const [inputs, pattern] of [
      [
        { ...LINUX, sourceImage: 'Canonical:ubuntu' },
        /Input 'sourceImage': 'Canonical:ubuntu' is not a marketplace image URN/,
      ],
      [
        { ...LINUX, targetRegions: 'westeurope=0' },
        /Input 'targetRegions': .*replica count 0 is out of range/,
      ],
      [{ ...LINUX, vmSize: 'D4s' }, /Input 'vmSize': 'D4s' is not valid/],
      [
        { ...LINUX, galleryImageDefinitionId: `${RG}/providers/Microsoft.Compute/galleries/gal` },
        /Input 'galleryImageDefinitionId': .* is not the resource id of a gallery image definition/,
      ],
      [
        {
          ...LINUX,
          managedIdentity:
            `/subscriptions/${SUB}/resourceGroups/rg-img/providers/Microsoft.ManagedIdentity` +
            `/userAssignedIdentities/missing`,
        },
        /Input 'managedIdentity': the user-assigned identity .* does not exist/,
      ],
      [
        { ...LINUX, restart: 'true' },
        /Input 'restart': restarts between steps are a Windows customiser/,
      ],
      [
        { ...WINDOWS, galleryImageDefinitionId: IMAGE_LINUX },
        new RegExp(
          "Input 'galleryImageDefinitionId': the image definition 'ubuntu' is for Linux, " +
            'but the source .* is Windows',
        ),
      ],
      [
        { ...LINUX, packagePath: 'no-such-folder' },
        /Input 'packagePath': '[^']*no-such-folder' can't be read \(ENOENT\)/,
      ],
    ] as [Record<string, string>, RegExp][]) {
      const r = await run(inputs);
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', pattern);
    }
    assert.deepStrictEqual(writesSince(world.sim.state(), before), []);
  });
});
