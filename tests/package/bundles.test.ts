import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TASK_FILES, TASKS, taskDir } from '../../scripts/tasks';
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
        for (const file of TASK_FILES)
          fs.copyFileSync(path.join(taskDir(task), file), path.join(dir, file));
        const run = runNode(path.join(dir, 'index.js'), {}, dir);
        assert.strictEqual(run.result, 'Failed', run.stdout);
        assert.match(run.message ?? '', /^Input '\w+': a value is required/);
        assert.ok(!/Cannot find module|MODULE_NOT_FOUND/.test(run.stdout), run.stdout);
      },
    );
  }
});
