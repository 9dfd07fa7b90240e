import * as assert from 'assert';
import { TASKS } from '../../scripts/tasks';
import { RunningSim, startSimulator } from '../sim';
import {
  injectedCommands,
  inProcessProblems,
  runInProcess,
  runnerProblems,
  runThroughRunner,
  sourcesFolder,
  writesIn,
} from './badInputHarness';
import { BadInput, CATALOGUE, caseInputs, CONTROLS, PAYLOADS, WORLDS } from './badInputCases';

/**
 * The bad-input catalogue (issue 16, section 3) in-process: every case runs its task's entry steps
 * (inputs, providers, core) against a simulator of the task's world and must end Failed with one
 * message naming the input and what would be right, print no logging command from a value, and
 * write nothing in Azure. A sample of each task runs through the runner as the agent runs it
 * (tests/hardening/badInputRunner.test.ts runs every case so).
 */
/** Through the runner in `npm test`: the cases whose output the agent itself must read right. */
const RUNNER_SAMPLE = new Set<BadInput>(
  TASKS.flatMap((task) => {
    const own = CATALOGUE.filter((c) => c.task === task);
    return [
      own.find((c) => c.category === 'injection' && JSON.stringify(c.inputs).includes('\\n')),
      own.find((c) => c.category === 'missing resource'),
    ].filter((c): c is BadInput => !!c);
  }),
);

describe('bad input: one error naming the input, before any write', function () {
  this.timeout(60_000);

  it('the catalogue holds at least 80 cases, 20 or more per task, every category', () => {
    assert.ok(CATALOGUE.length >= 80, `${CATALOGUE.length} cases`);
    for (const task of TASKS)
      assert.ok(CATALOGUE.filter((c) => c.task === task).length >= 20, task);
    const categories = new Set(CATALOGUE.map((c) => c.category));
    assert.strictEqual(categories.size, 9, [...categories].join(', '));
  });

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
            const out = await runInProcess(task, caseInputs(c, sources.dir), sim, sources.pipeline);
            const writes = writesIn(sim.state().requests.slice(from));
            assert.deepStrictEqual(inProcessProblems(c, out, writes), []);
          } finally {
            sources.remove();
          }
        });
      }

      it('control: valid inputs, commands in free text: succeeds, text stays text', async () => {
        const sources = sourcesFolder();
        try {
          const control = CONTROLS[task];
          const inputs = { ...WORLDS[task].inputs(), ...control.inputs };
          let from = sim.state().requests.length;
          const out = await runInProcess(task, inputs, sim, sources.pipeline);
          assert.notStrictEqual(out.result, 'Failed', out.message);
          const writes = writesIn(sim.state().requests.slice(from));
          assert.strictEqual(writes.length > 0, control.writes, JSON.stringify(writes));
          if (control.writes) return;
          from = sim.state().requests.length;
          const r = await runThroughRunner(task, inputs, sim, sources.dir);
          assert.notStrictEqual(r.result, 'Failed', r.message);
          assert.deepStrictEqual(injectedCommands(r.stdout, PAYLOADS), []);
          assert.deepStrictEqual(writesIn(r.state.requests.slice(from)), []);
        } finally {
          sources.remove();
        }
      });

      for (const c of CATALOGUE.filter((x) => x.task === task && RUNNER_SAMPLE.has(x))) {
        it(`through the runner: ${c.category}: ${c.what} (${c.input})`, async () => {
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
