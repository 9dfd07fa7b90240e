import * as assert from 'assert';
import { selectForPrune } from '../../../tasks/common/gallery/pruneSelection';

const now = new Date('2026-11-21T12:00:00Z');
const v = (name: string, extra = {}) => ({ name, provisioningState: 'Succeeded', ...extra });

describe('gallery: prune selection', () => {
  it(
    'keep 2 of five with one in use: deletes exactly the two oldest unused, newest first ' +
      'with reasons',
    () => {
      const decisions = selectForPrune(
        [v('1.0.0'), v('1.0.3'), v('1.0.1'), v('1.0.4'), v('1.0.2')],
        {
          keep: 2,
          inUse: new Map([['1.0.1', ['VM vm-1 (rg)']]]),
          now,
        },
      );
      assert.deepStrictEqual(decisions, [
        { name: '1.0.4', delete: false, reason: 'one of the newest 2' },
        { name: '1.0.3', delete: false, reason: 'one of the newest 2' },
        { name: '1.0.2', delete: true, reason: 'older than the newest 2' },
        { name: '1.0.1', delete: false, reason: 'in use by VM vm-1 (rg)' },
        { name: '1.0.0', delete: true, reason: 'older than the newest 2' },
      ]);
    },
  );

  it('orders by version number, not by text', () => {
    const decisions = selectForPrune([v('1.9.0'), v('1.10.0'), v('1.2.0')], {
      keep: 1,
      inUse: new Map(),
      now,
    });
    assert.deepStrictEqual(
      decisions.filter((d) => !d.delete).map((d) => d.name),
      ['1.10.0'],
    );
  });

  it(
    'never deletes the version just published, a protected one before its end of life, or ' +
      'one in progress',
    () => {
      const decisions = selectForPrune(
        [
          v('3.0.0'),
          v('1.0.0'),
          v('2.0.0', { blockDeletionBeforeEndOfLife: true, endOfLifeDate: new Date('2027-01-01') }),
          v('1.5.0', { blockDeletionBeforeEndOfLife: true, endOfLifeDate: new Date('2026-01-01') }),
          v('1.2.0', { provisioningState: 'Creating' }),
          v('1.1.0', { provisioningState: 'Failed' }),
        ],
        { keep: 1, current: '1.0.0', inUse: new Map(), now },
      );
      const by = Object.fromEntries(decisions.map((d) => [d.name, d]));
      assert.strictEqual(by['3.0.0'].delete, false);
      assert.deepStrictEqual(by['1.0.0'], {
        name: '1.0.0',
        delete: false,
        reason: 'published by this run',
      });
      assert.deepStrictEqual(by['2.0.0'], {
        name: '2.0.0',
        delete: false,
        reason: 'deletion is blocked before its end of life (2027-01-01)',
      });
      assert.strictEqual(by['1.5.0'].delete, true, 'its end of life has passed');
      assert.deepStrictEqual(by['1.2.0'], {
        name: '1.2.0',
        delete: false,
        reason: 'it is creating',
      });
      assert.deepStrictEqual(by['1.1.0'], {
        name: '1.1.0',
        delete: true,
        reason: 'older than the newest 1, provisioning failed',
      });
    },
  );

  it('nothing to delete when there are no more versions than kept', () => {
    assert.ok(
      selectForPrune([v('1.0.0'), v('1.0.1')], { keep: 2, inUse: new Map(), now }).every(
        (d) => !d.delete,
      ),
    );
  });
});
