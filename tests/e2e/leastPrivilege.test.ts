import * as assert from 'assert';
import { TASKS } from '../../scripts/tasks';
import {
  actionsChecked,
  documentedActions,
  messageOf,
  runWithActions,
} from './leastPrivilegeWorlds';

/**
 * Each task's representative run with the service connection holding exactly the actions
 * overview.md documents (a custom role, RBAC enforced) succeeds, and every action ARM checked is
 * among them; the matrix with each one removed is tests/hardening/leastPrivilege.test.ts.
 */
describe('e2e: least privilege: each task with exactly the documented actions', function () {
  this.timeout(120_000);

  for (const task of TASKS)
    it(`${task}: succeeds, and every action it uses is documented`, async () => {
      const documented = documentedActions(task).map((d) => d.action);
      assert.ok(documented.length > 0, `overview.md documents ${task}'s actions`);
      const r = await runWithActions(task, documented);
      assert.match(r.result ?? '', /^Succeeded/, `${messageOf(r)}\n${r.stdout.slice(-3000)}`);
      const undocumented = actionsChecked(r).filter(
        (a) => !documented.some((d) => d.toLowerCase() === a.toLowerCase()),
      );
      assert.deepStrictEqual(undocumented, [], 'actions used but not in overview.md');
      console.log(
        `      ${task}: ${documented.length} actions documented, ${actionsChecked(r).length} used`,
      );
    });
});
