import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  inline,
  runBuildImage,
  scenario,
  simulatorFor,
  stagingGroupLeft,
  templates,
  WINDOWS,
} from './buildImageFixtures';
import { attachmentCatcher, masker, printedOnce, runsOf } from './buildLog';

/**
 * Issue 4's first "Done when", as written, for Windows: a build from inputs — a build-artifacts
 * folder of 30 MB, an inline PowerShell script, a restart and Windows Update — publishes a gallery
 * version, streams every line of the Packer log exactly once and in order, and leaves no template
 * behind (state dump). The log is checked against what the simulated build wrote (the simulator's
 * journal, which outlives the template) and against the full log the task attaches to the run. The
 * simulated build VM really downloads the 30 MB archive (with the SAS the task hands it) and checks
 * its sha256.
 */
describe('e2e: BuildImage done when — Windows from inputs, a 30 MB artifacts folder', function () {
  this.timeout(180_000);
  const world = simulatorFor(scenario());
  let folder: string;

  before(() => {
    folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-done-when-')), 'tools');
    fs.mkdirSync(path.join(folder, 'bin'), { recursive: true });
    // Incompressible, so the archive is 30 MB too: above the File customiser's 20 MB.
    fs.writeFileSync(path.join(folder, 'bin', 'payload.bin'), randomBytes(30 * 1024 * 1024));
    fs.writeFileSync(path.join(folder, 'install.ps1'), 'Write-Host "installing"\n');
  });
  after(() => {
    fs.rmSync(path.dirname(folder), { recursive: true, force: true });
  });

  it(
    'publishes a gallery version, prints every log line exactly once and in order, and ' +
      'leaves no template',
    async () => {
      const attached = attachmentCatcher();
      const r = await runBuildImage(
        world.sim,
        {
          ...WINDOWS,
          packagePath: folder,
          ...inline(
            'Write-Host "installing from C:\\BuildArtifacts\\tools"\nWrite-Output "configured"',
          ),
          runElevated: 'true',
          restart: 'true',
          windowsUpdate: 'true',
          windowsUpdateSearchCriteria: 'IsInstalled=0',
        },
        { onOutput: attached.onOutput },
      );
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      const name = r.outputs.templateName;

      // The inputs became these steps: the 30 MB archive fetched and unpacked on the VM, the
      // script, a restart, Windows Update last.
      assert.match(r.stdout, /Uploaded 2 files \(30\.0 MB\) as 30\.0 MB to /);
      assert.match(
        r.stdout,
        /30\.0 MB is above 20 MB: the build VM downloads it with a read-only SAS/,
      );
      for (const [i, step] of [
        'artifacts-unpack \\(PowerShell',
        'inline-script \\(PowerShell, elevated, 2 lines\\)',
        'restart \\(WindowsRestart\\)',
        'windows-update \\(WindowsUpdate',
      ].entries()) {
        assert.match(r.stdout, new RegExp(`##\\[group\\]Customizer ${i + 1} of 4: ${step}`));
      }

      // A gallery version, published and tagged with this build.
      assert.match(
        r.outputs.imageVersionId ?? '',
        /\/galleries\/gal\/images\/win11\/versions\/\d+\.\d+\.\d+$/,
      );
      const version = r.state.resources.find((x) => x.id === r.outputs.imageVersionId);
      assert.ok(version, 'the gallery version exists');
      assert.strictEqual(version.properties.provisioningState, 'Succeeded');
      assert.strictEqual(version.tags['gip.template'], name);

      // Every line the build wrote, printed once and in order; the attached log is the whole log as
      // written.
      const runs = runsOf(r, name);
      assert.strictEqual(runs.length, 1, 'one run');
      const [run] = runs;
      assert.strictEqual(run.runState, 'Succeeded');
      assert.ok(run.log.length > 60, `${run.log.length} lines`);
      assert.ok(
        run.log.some((l) =>
          l.endsWith('azure-arm: Build artifacts unpacked to C:\\BuildArtifacts\\tools'),
        ),
        'the VM downloaded, checked and unpacked the archive',
      );
      assert.ok(
        run.log.some((l) => l.endsWith('azure-arm: configured')),
        'the script ran',
      );
      assert.deepStrictEqual(printedOnce(r, run), []);
      assert.match(r.stdout, new RegExp(`Build log: ${run.log.length} lines printed`));
      assert.strictEqual(
        attached.files.get(`customization-${name}.log`),
        masker(r)(run.log.map((l) => `${l}\n`).join('')),
        'the attached log is the log as written, the SAS it holds masked',
      );

      // Nothing left behind: no template, no staging group, no archive.
      assert.deepStrictEqual(
        templates(r.state).map((x) => x.name),
        [],
      );
      assert.ok(!stagingGroupLeft(r.state, name), 'staging group deleted');
      assert.match(r.stdout, /Deleted the build artifacts archive /);
    },
  );
});
