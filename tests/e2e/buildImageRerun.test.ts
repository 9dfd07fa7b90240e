import * as assert from 'assert';
import {
  inline,
  LINUX,
  runBuildImage,
  scenario,
  simulatorFor,
  templates,
  writesSince,
} from './buildImageFixtures';

/**
 * Issue 4's rerun Done-when through the runner: the task process is killed mid-build (an agent
 * lost, a hosted job's time limit) and the same job runs again as its next attempt. The second
 * attempt finds the build the first one started (the template name comes from the pipeline, run,
 * stage, job and content, not the attempt) and follows it: one build, not two. A third attempt,
 * after the build succeeded and its template was deleted, outputs the version it made without
 * writing anything.
 */
const INPUTS = { ...LINUX, ...inline('echo "rerun after a kill"') };

describe('e2e: BuildImage rerun after the task was killed', function () {
  this.timeout(120_000);
  const world = simulatorFor(scenario({ timeScale: 0.01 }));

  it(
    'the next attempt attaches to the running build (one run, not two); the one after ' +
      'outputs the version without building',
    async () => {
      const job = { 'Build.BuildId': '7301' };
      const kill = new AbortController();
      let seen = '';
      const first = await runBuildImage(world.sim, INPUTS, {
        vars: { ...job, 'System.JobAttempt': '1' },
        kill: kill.signal,
        onOutput: (chunk) => {
          seen += chunk;
          if (/Image Builder: Customizing/.test(seen)) kill.abort();
        },
      });
      assert.strictEqual(first.result, undefined, 'killed: no task.complete');
      const name = /Creating image template (\S+) in/.exec(first.stdout)?.[1];
      assert.ok(name, first.stdout);
      const running = templates(first.state).find((x) => x.name === name);
      assert.strictEqual(
        running?.properties.lastRunStatus.runState,
        'Running',
        'the build goes on without the task',
      );

      const second = await runBuildImage(world.sim, INPUTS, {
        vars: { ...job, 'System.JobAttempt': '2' },
      });
      assert.strictEqual(second.result, 'Succeeded', second.stdout);
      assert.match(
        second.stdout,
        new RegExp(
          `Template ${name} is already building \\(an earlier attempt of this job started ` +
            `it\\): following that build instead of starting another`,
        ),
      );
      assert.strictEqual(second.outputs.templateName, name);
      const runs = second.state.requests.filter(
        (q) =>
          q.method === 'POST' && q.path.includes(`/imageTemplates/${name}/run`) && q.status < 400,
      );
      const creates = second.state.requests.filter(
        (q) => q.method === 'PUT' && q.path.includes(`/imageTemplates/${name}?`) && q.status < 400,
      );
      assert.strictEqual(runs.length, 1, 'one build');
      assert.strictEqual(creates.length, 1, 'one template');
      assert.ok(
        !second.state.resources.some((x) => x.name === name),
        'template deleted after the build',
      );

      const before = world.sim.state().requests.length;
      const third = await runBuildImage(world.sim, INPUTS, {
        vars: { ...job, 'System.JobAttempt': '3' },
      });
      assert.strictEqual(third.result, 'Succeeded', third.stdout);
      assert.match(third.stdout, /This job's build already succeeded/);
      assert.strictEqual(third.outputs.imageVersionId, second.outputs.imageVersionId);
      assert.deepStrictEqual(writesSince(third.state, before), [], 'nothing written');
    },
  );
});
