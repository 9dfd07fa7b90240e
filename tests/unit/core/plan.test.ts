import * as assert from 'assert';
import { planChanges, PlanItem, renderPlan } from '../../../tasks/common/core/plan';

describe('core: plan', () => {
  it(
    'a title with the counts, then one line per item, verbs in one column, details under the ' +
      'target',
    () => {
      const items: PlanItem[] = [
        { action: 'create', target: 'gallery golden in westeurope', reason: 'missing' },
        {
          action: 'update',
          target: 'version 1.0.0',
          reason: 'this job published it already',
          details: ['add eastus (1 replica, Standard_LRS)', 'end of life 2027-01-01'],
        },
        { action: 'keep', target: 'version 0.9.0', reason: 'in use by VM vm-1 (rg)' },
        { action: 'delete', target: 'version 0.8.0', reason: 'older than the newest 2' },
        { action: 'create', target: 'image definition win11', reason: 'missing' },
      ];
      assert.strictEqual(
        renderPlan('Plan (nothing is changed yet)', items),
        [
          'Plan (nothing is changed yet): 2 to create, 1 to update, 1 to delete, 1 to keep',
          '  create  gallery golden in westeurope — missing',
          '  update  version 1.0.0 — this job published it already',
          '          add eastus (1 replica, Standard_LRS)',
          '          end of life 2027-01-01',
          '  keep    version 0.9.0 — in use by VM vm-1 (rg)',
          '  delete  version 0.8.0 — older than the newest 2',
          '  create  image definition win11 — missing',
        ].join('\n'),
      );
    },
  );

  it('"nothing to change" when every item is keep, or there is none', () => {
    const kept: PlanItem[] = [
      { action: 'keep', target: 'version 1.0.0', reason: 'this job published it already' },
    ];
    assert.strictEqual(
      renderPlan('Plan (nothing is changed yet)', kept),
      'Plan (nothing is changed yet): nothing to change\n  keep    version 1.0.0 — this ' +
        'job published it already',
    );
    assert.strictEqual(
      renderPlan('Would do (dry run: nothing is deleted)', []),
      'Would do (dry run: nothing is deleted): nothing to change',
    );
    assert.strictEqual(planChanges(kept), false);
    assert.strictEqual(
      planChanges([
        ...kept,
        { action: 'delete', target: 'version 0.1.0', reason: 'older than the newest 1' },
      ]),
      true,
    );
  });
});
