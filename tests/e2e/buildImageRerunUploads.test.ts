import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RunResult } from '../../scripts/runner/runner';
import type { RunningSim } from '../sim';
import { IMAGE_LINUX } from '../sim/domain/support';
import {
  armDeployment,
  COMMON,
  inline,
  LINUX,
  runBuildImage,
  scenario,
  simulatorFor,
  UBUNTU_SOURCE,
} from './buildImageFixtures';

/**
 * Issue 15 item 2 through the runner: a rerun of a job whose build succeeded (its template and
 * uploads deleted when it ended) finds that build before uploading anything: the template's name
 * and blob URLs are computed dry first. The bytes are counted from Azurite's own request journal
 * (every PUT into the artifacts container, by Content-Length).
 */
const uploadedBytes = (sim: RunningSim, from: number) =>
  sim
    .state()
    .blobRequests.slice(from)
    .filter((q) => q.method === 'PUT' && q.path.includes('/buildimage-artifacts/'))
    .reduce((sum, q) => sum + q.bytes, 0);

describe('e2e: BuildImage rerun of a job whose build succeeded uploads nothing', function () {
  this.timeout(180_000);
  const world = simulatorFor(scenario());
  let root: string;

  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-rerun-uploads-')));
    const write = (rel: string, content: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), content);
    };
    write('tools/setup.sh', 'echo setup\n'.repeat(2000));
    write('tools/config/app.json', '{"a":1}');
    write('images/scripts/setup.sh', 'echo "from a local script"\n');
    write(
      'images/linux.json',
      JSON.stringify(
        armDeployment(
          {},
          {
            type: 'Microsoft.VirtualMachineImages/imageTemplates',
            apiVersion: '2024-02-01',
            name: 'linux-local',
            location: 'westeurope',
            properties: {
              source: UBUNTU_SOURCE,
              customize: [{ type: 'Shell', name: 'setup', scriptUri: 'scripts/setup.sh' }],
              distribute: [
                {
                  type: 'SharedImage',
                  galleryImageId: IMAGE_LINUX,
                  runOutputName: 'sig',
                  targetRegions: [{ name: 'westeurope' }],
                },
              ],
            },
          },
        ),
      ),
    );
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Two attempts of one job: the second after the first succeeded. */
  async function twice(inputs: Record<string, string>, buildId: string) {
    const runs: { r: RunResult; bytes: number }[] = [];
    for (const attempt of ['1', '2']) {
      const from = world.sim.state().blobRequests.length;
      const r = await runBuildImage(world.sim, inputs, {
        workdir: root,
        vars: { 'Build.BuildId': buildId, 'System.JobAttempt': attempt },
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      runs.push({ r, bytes: uploadedBytes(world.sim, from) });
    }
    return runs;
  }

  it('with packagePath: the first attempt uploads the archive, the rerun 0 bytes', async () => {
    const [first, rerun] = await twice(
      { ...LINUX, ...inline('echo "with tools"'), packagePath: path.join(root, 'tools') },
      '8101',
    );
    assert.ok(first.bytes > 0, 'the first attempt uploaded the archive');
    assert.strictEqual(rerun.bytes, 0, rerun.r.stdout);
    assert.match(rerun.r.stdout, /This job's build already succeeded: .*Nothing is built again/);
    assert.strictEqual(rerun.r.outputs.imageVersionId, first.r.outputs.imageVersionId);
  });

  it("with a template file's local files: the rerun uploads 0 bytes", async () => {
    const [first, rerun] = await twice({ ...COMMON, templateFile: 'images/linux.json' }, '8102');
    assert.ok(first.bytes > 0, 'the first attempt uploaded the local file');
    assert.strictEqual(rerun.bytes, 0, rerun.r.stdout);
    assert.match(rerun.r.stdout, /This job's build already succeeded/);
    assert.strictEqual(rerun.r.outputs.imageVersionId, first.r.outputs.imageVersionId);
  });
});
