import * as assert from 'assert';
import { renderSummary } from '../../../../tasks/common/hostpool/execute/summary';
import { UpdateHostPoolResult } from '../../../../tasks/common/hostpool/result';

const V = (v: string) =>
  '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/w' +
  `/versions/${v}`;

describe('hostpool/execute/summary: the run summary page', () => {
  const result: UpdateHostPoolResult = {
    rolloutState: 'PartiallyCompleted',
    hostsAdded: ['avd-4'],
    hostsRemoved: ['avd-0'],
    hostsKept: [],
    imageVersionId: V('1.0.1'),
    before: [
      { name: 'avd-0', imageVersionId: V('1.0.0'), status: 'Available', sessions: 0, zone: '1' },
      { name: 'avd-1', imageVersionId: V('1.0.0'), status: 'Available', sessions: 2, zone: '2' },
    ],
    after: [
      { name: 'avd-1', imageVersionId: V('1.0.0'), status: 'Available', sessions: 2, zone: '2' },
      { name: 'avd-4', imageVersionId: V('1.0.1'), status: 'Available', sessions: 0, zone: '1' },
    ],
    batches: [
      {
        number: 1,
        canary: true,
        oldHosts: ['avd-0'],
        newHosts: ['avd-4'],
        started: '2026-12-07T10:00:00.000Z',
        available: '2026-12-07T10:05:00.000Z',
        drained: '2026-12-07T10:06:00.000Z',
        removed: '2026-12-07T10:07:00.000Z',
        ended: '2026-12-07T10:07:00.000Z',
      },
    ],
    result: 'SucceededWithIssues',
    message: 'Rollout partly done.',
  };

  it('tables of hosts before and after, batch times, what is left and the warnings', () => {
    const md = renderSummary(result, {
      pool: 'hp1',
      devicesLeft: ['avd-0'],
      leftDrained: [{ host: 'avd-1', sessions: 2 }],
      warnings: ['avd-1: drainTimeout reached'],
    });
    const lines = md.split('\n');
    assert.ok(lines.includes('| avd-0 | 1.0.0 | Available | 0 | 1 |'), md);
    assert.ok(lines.includes('| avd-4 | 1.0.1 | Available | 0 | 1 |'), md);
    assert.ok(
      lines.includes(
        '| 1 (canary) | avd-0 | avd-4 | 2026-12-07T10:00:00.000Z | 2026-12-07T10:05:00.000Z | ' +
          '2026-12-07T10:06:00.000Z | 2026-12-07T10:07:00.000Z |',
      ),
      md,
    );
    assert.match(md, /### Left drained[^\n]*\n- avd-1: 2 session\(s\)/);
    assert.match(md, /### Entra device records to remove\n.*removeDeviceRecords.*\n- avd-0/);
    assert.match(md, /### Warnings\n- avd-1: drainTimeout reached/);
  });

  it('no batch, nothing left: only the state and the two tables', () => {
    const md = renderSummary(
      { ...result, batches: [] },
      { pool: 'hp1', devicesLeft: [], leftDrained: [], warnings: [] },
    );
    assert.doesNotMatch(md, /### (Batches|Left drained|Entra|Warnings)/);
    assert.match(md, /^## UpdateHostPool: hp1\n\n\*\*PartiallyCompleted\*\*/);
  });
});
