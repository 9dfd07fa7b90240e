import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EVERYDAY_INPUTS } from '../../scripts/bench/everydayInputs';
import { runTask } from '../../scripts/runner/runner';
import { TaskName, taskFiles, TASKS, taskDir } from '../../scripts/tasks';
import { RunningSim, startSimulator } from '../sim';
import { runNode } from '../support/taskProcess';

/** No node_modules may be reachable from a folder for a bundle test to mean anything. */
function nodeModulesAbove(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

describe('task bundles run alone, as the agent runs them', function () {
  this.timeout(60_000);

  for (const task of TASKS) {
    it(
      `${task}: copied alone into an empty folder and run with no inputs, fails naming the ` +
        `missing input`,
      () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gip-${task}-`));
        assert.strictEqual(nodeModulesAbove(dir), undefined, `${dir} has node_modules above it`);
        for (const file of taskFiles(task))
          fs.copyFileSync(path.join(taskDir(task), file), path.join(dir, file));
        const run = runNode(path.join(dir, 'index.js'), {}, dir);
        assert.strictEqual(run.result, 'Failed', run.stdout);
        assert.match(run.message ?? '', /^Input '\w+': a value is required/);
        assert.ok(!/Cannot find module|MODULE_NOT_FOUND/.test(run.stdout), run.stdout);
      },
    );
  }
});

/** How each everyday run ends on an empty simulator: a message its domain code (a chunk) gives. */
const DOMAIN_ENDS: Record<TaskName, RegExp> = {
  BuildImage: /^Input 'resourceGroup': the resource group 'rg-img' does not exist/,
  DistributeToGallery: /^The source managed image 'img-1' \(rg-img\) does not exist/,
  UpdateHostPool: /^Input 'hostPool': no host pool 'hp-pool'/,
  AttachGalleryToDevCenter: /^Input 'devCenter': no dev center 'dc-main'/,
};

describe('task bundles copied alone load their lazily imported code', function () {
  this.timeout(60_000);
  let sim: RunningSim;
  before(async () => {
    sim = await startSimulator();
  });
  after(async () => sim?.stop());

  for (const task of TASKS) {
    it(`${task}: run with everyday inputs, it reaches its domain's own message`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gip-${task}-`));
      for (const file of taskFiles(task))
        fs.copyFileSync(path.join(taskDir(task), file), path.join(dir, file));
      const run = await runTask({
        task,
        entry: path.join(dir, 'index.js'),
        inputs: EVERYDAY_INPUTS[task],
        sim: { info: sim.info, state: () => sim.state() },
      });
      assert.ok(run.result, run.stdout.slice(-2000));
      assert.ok(
        !/Cannot find module|Dynamic require|is not a (constructor|function)/.test(run.stdout),
      );
      assert.match(run.message ?? '', DOMAIN_ENDS[task], run.stdout.slice(-2000));
    });
  }
});
