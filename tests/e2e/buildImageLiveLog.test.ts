import * as assert from 'assert';
import {
  inline,
  LINUX,
  runBuildImage,
  scenario,
  simulatorFor,
  warnings,
} from './buildImageFixtures';
import { printedOf, stagingLog } from './buildLog';

/**
 * BuildImage when the build container's logs API never answers (404 the whole build): the task
 * learns the run from the staging account's `packerlogs/`, prints every customization.log line
 * exactly once, and warns once that the live log was unavailable.
 */
describe('e2e: BuildImage live-log fallback', function () {
  this.timeout(120_000);
  const world = simulatorFor(
    scenario({
      faults: [{ method: 'GET', path: '/containers/[^/]+/logs\\?', status: 404, times: 100_000 }],
    }),
  );

  it(
    'prints customization.log once, found by listing packerlogs/, when the container log is ' +
      'never readable',
    async () => {
      const r = await runBuildImage(world.sim, {
        ...LINUX,
        ...inline('echo "first"\necho "second"'),
        keepTemplate: 'true',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      const logReads = r.state.requests.filter((q) => /\/containers\/[^/]+\/logs/i.test(q.path));
      assert.ok(
        logReads.length > 0 && logReads.every((q) => q.status === 404),
        'the logs API was asked and always answered 404',
      );
      const unavailable = warnings(r).filter((w) =>
        w.startsWith('The live build log was unavailable'),
      );
      assert.strictEqual(unavailable.length, 1, r.stdout);

      const written = await stagingLog(world.sim, r);
      assert.ok(written.length > 20, `${written.length} lines`);
      assert.deepStrictEqual(printedOf(r, written), written, 'every line printed once, in order');
    },
  );
});
