import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ROOT } from '../../scripts/tasks';

describe('e2e: npm start (the demo pipeline)', function () {
  this.timeout(120_000);

  it(
    'builds, publishes to three regions, rolls the staging host pool onto the new version, and ' +
      'exits 0 with every step as this version should behave',
    () => {
      const demo = spawnSync(
        process.execPath,
        [path.join(ROOT, 'out', 'scripts', 'demo', 'demo.js')],
        { encoding: 'utf8', timeout: 110_000 },
      );
      assert.strictEqual(demo.status, 0, demo.stdout + demo.stderr);
      assert.match(demo.stdout, /✔ BuildImage: Succeeded/);
      assert.match(
        demo.stdout,
        /\$\(distribute\.regions\) = westeurope=Completed,northeurope=Completed,eastus=Completed/,
      );
      assert.match(demo.stdout, /✔ UpdateHostPool: Succeeded/);
      assert.match(demo.stdout, /\$\(avd\.rolloutState\) = Completed/);
      assert.match(demo.stdout, /\$\(avd\.hostsAdded\) = 2\n/);
      assert.match(demo.stdout, /Every step behaved as this version should\./);
      assert.ok(!/##vso\[/.test(demo.stdout), 'logging commands are rendered, not shown');
    },
  );
});
