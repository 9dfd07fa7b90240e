import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StateDump } from '../sim';
import {
  artifactBlobs,
  inline,
  LINUX,
  runBuildImage,
  scenario,
  simulatorFor,
  templates,
} from './buildImageFixtures';

/**
 * `action: cleanup` through the runner: templates this pipeline's earlier runs left behind (kept
 * template, kept artifacts archive) are removed with their archive; another pipeline's template
 * stays, even one of the same name (told apart by definition id); a second cleanup finds nothing
 * to do.
 */
describe('e2e: BuildImage action cleanup', function () {
  this.timeout(120_000);
  const world = simulatorFor(scenario());
  let root: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-cleanup-e2e-'));
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const templateNames = (s: StateDump) => templates(s).map((x) => x.name);
  const cleanup = (vars: Record<string, string>) =>
    runBuildImage(world.sim, { action: 'cleanup', resourceGroup: 'rg-img' }, { vars });

  it(
    "removes this pipeline's leftover template and its artifacts archive, keeps another " +
      "pipeline's of the same name; idempotent",
    async () => {
      const dir = path.join(root, 'tools');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'setup.sh'), 'echo setup\n');
      const ours = await runBuildImage(world.sim, {
        ...LINUX,
        ...inline('echo "ours"'),
        packagePath: dir,
        keepArtifacts: 'true',
        keepTemplate: 'true',
      });
      assert.strictEqual(ours.result, 'Succeeded', ours.stdout);
      const theirs = await runBuildImage(
        world.sim,
        { ...LINUX, ...inline('echo "theirs"'), keepTemplate: 'true' },
        // Another pipeline of the same name: only its definition id tells it apart.
        { vars: { 'System.DefinitionId': '43', 'Build.BuildId': '2001' } },
      );
      assert.strictEqual(theirs.result, 'Succeeded', theirs.stdout);
      const [ourName, theirName] = [ours.outputs.templateName, theirs.outputs.templateName];
      assert.deepStrictEqual(templateNames(theirs.state).sort(), [ourName, theirName].sort());
      assert.strictEqual((await artifactBlobs(world.sim, theirs.state)).length, 1);

      // The next run of this pipeline cleans up.
      const next = { 'Build.BuildId': '1002' };
      const r = await cleanup(next);
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(
        r.stdout,
        new RegExp(`Removed ${ourName}: left behind, its run ended Succeeded\\.`),
      );
      assert.match(
        r.stdout,
        new RegExp(
          `Kept ${theirName}: another pipeline's ` +
            `\\(golden-image, \\S+/_build\\?definitionId=43\\)\\.`,
        ),
      );
      assert.match(
        r.stdout,
        /Deleted the build artifacts archive https:\/\/\S+\/buildimage-artifacts\//,
      );
      assert.deepStrictEqual(
        templateNames(r.state),
        [theirName],
        'state dump: ours gone, theirs kept',
      );
      assert.deepStrictEqual(await artifactBlobs(world.sim, r.state), []);

      const again = await cleanup(next);
      assert.strictEqual(again.result, 'Succeeded', again.stdout);
      assert.match(again.stdout, /Removed 0 image template\(s\) left behind; kept 1\./);
      assert.deepStrictEqual(templateNames(again.state), [theirName]);
    },
  );
});
