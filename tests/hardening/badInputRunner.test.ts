import * as assert from 'assert';
import { TASKS } from '../../scripts/tasks';
import { RunningSim, startSimulator } from '../sim';
import { runnerProblems, runThroughRunner, sourcesFolder, writesIn } from '../e2e/badInputHarness';
import { CATALOGUE, caseInputs, PAYLOADS, WORLDS } from '../e2e/badInputCases';

/**
 * The whole bad-input catalogue (tests/e2e/badInputCases.ts) through the runner: each task's
 * bundle in its own process, as the agent runs it, against a simulator of the task's world. Each
 * case ends Failed with one `##vso[task.issue type=error]` line and a task.complete message naming
 * the input and what would be right, no logging command smuggled in by a value, and no write in
 * Azure. (`npm test` runs every case in-process and a sample so: tests/e2e/badInput.test.ts.)
 */
describe('hardening: the bad-input catalogue through the runner', function () {
  this.timeout(120_000);

  for (const task of TASKS) {
    describe(task, () => {
      let sim: RunningSim;
      before(async () => {
        sim = await startSimulator({ scenario: WORLDS[task].scenario() });
      });
      after(() => sim?.stop());

      for (const c of CATALOGUE.filter((x) => x.task === task)) {
        it(`${c.category}: ${c.what} (${c.input})`, async () => {
          const sources = sourcesFolder();
          try {
            const from = sim.state().requests.length;
            const r = await runThroughRunner(task, caseInputs(c, sources.dir), sim, sources.dir);
            const writes = writesIn(r.state.requests.slice(from));
            assert.deepStrictEqual(runnerProblems(c, r, writes, PAYLOADS), []);
          } finally {
            sources.remove();
          }
        });
      }
    });
  }
});
