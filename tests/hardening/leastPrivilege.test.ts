import * as assert from 'assert';
import { TASKS } from '../../scripts/tasks';
import { documentedActions, messageOf, runWithActions, writes } from '../e2e/leastPrivilegeWorlds';

/**
 * For each action overview.md documents for a task, the representative run with that one action
 * removed from the connection's role: an action documented "fails" stops the task before any
 * write with a message naming it; one documented "warns" leaves a warning naming it and the task
 * goes on.
 */
describe('hardening: least privilege: each documented action removed', function () {
  this.timeout(180_000);

  for (const task of TASKS)
    describe(task, () => {
      for (const { action, without } of documentedActions(task))
        it(`without ${action}: ${without}`, async () => {
          const rest = documentedActions(task)
            .map((d) => d.action)
            .filter((a) => a !== action);
          const r = await runWithActions(task, rest);
          const log = `${messageOf(r)}\n${r.stdout.slice(-2500)}`;
          if (without === 'fails') {
            assert.strictEqual(r.result, 'Failed', log);
            assert.ok(messageOf(r).includes(action), `the message names ${action}:\n${log}`);
            assert.deepStrictEqual(
              writes(r).map((q) => `${q.method} ${q.path.split('?')[0]}`),
              [],
              `nothing written before the refusal:\n${log}`,
            );
          } else {
            assert.match(r.result ?? '', /^Succeeded/, log);
            const warnings = r.stdout
              .split('\n')
              .filter((l) => l.startsWith('##vso[task.issue type=warning'));
            assert.ok(
              warnings.some((w) => w.includes(action)),
              `a warning names ${action}:\n${warnings.join('\n')}`,
            );
          }
        });
    });

  it('AttachGalleryToDevCenter without Graph Application.Read.All: fails first', async () => {
    const actions = documentedActions('AttachGalleryToDevCenter').map((d) => d.action);
    const r = await runWithActions('AttachGalleryToDevCenter', actions, ['Application.Read.All']);
    assert.strictEqual(r.result, 'Failed', messageOf(r));
    assert.match(messageOf(r), /Application\.Read\.All/);
    assert.match(messageOf(r), /windows365PrincipalId/, 'and the input that avoids it');
    assert.deepStrictEqual(writes(r), []);
  });
});
