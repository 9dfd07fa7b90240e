import * as assert from 'assert';
import {
  nothingToReplace,
  planRollout,
  PlanOptions,
} from '../../../tasks/common/hostpool/rolloutPlan';
import { PoolState } from '../../../tasks/common/hostpool/state';
import { host, pool, TARGET, TEMPLATE, V101, vm } from './fixtures';

const ENTRA = { type: 'entra', intuneEnroll: false } as const;
const plan = (p: PoolState, extra: Partial<PlanOptions> = {}) =>
  planRollout({
    pool: p,
    target: TARGET,
    template: TEMPLATE,
    join: ENTRA,
    adminUser: 'avdadmin',
    referenceHostName: 'avd-prod-4',
    batchSize: 2,
    canary: 1,
    oldHosts: 'delete',
    ...extra,
  });
const FOUR = () =>
  pool([
    host('avd-prod-1', 3),
    host('avd-prod-2', 0),
    host('avd-prod-3', 1),
    host('avd-prod-4', 2),
  ]);

describe('host pool: rollout plan', () => {
  it('canary first, then batchSize, fewest sessions first; new names above the highest', () => {
    const p = plan(FOUR());
    assert.deepStrictEqual(
      p.batches.map((b) => [b.canary, b.old.map((h) => h.vm!.name), b.create.map((n) => n.name)]),
      [
        [true, ['avd-prod-2'], ['avd-prod-5']],
        [false, ['avd-prod-3', 'avd-prod-4'], ['avd-prod-6', 'avd-prod-7']],
        [false, ['avd-prod-1'], ['avd-prod-8']],
      ],
    );
    assert.strictEqual(p.highestIndex, 8);
    assert.deepStrictEqual(
      p.batches.flatMap((b) => b.create.map((n) => n.replaces)),
      ['avd-prod-2', 'avd-prod-3', 'avd-prod-4', 'avd-prod-1'],
    );
    assert.match(
      p.text,
      new RegExp(
        '^Plan for host pool hp-prod onto 1\\.0\\.1 \\(nothing is changed yet\\): ' +
          '4 to create, 4 to delete, 1 to keep',
      ),
    );
    assert.match(p.text, /create {2}VM avd-prod-5 — batch 1 \(canary\): replaces avd-prod-2/);
    assert.match(
      p.text,
      /delete {2}host avd-prod-1\.corp\.contoso\.com — batch 3: 3 session\(s\), on 1\.0\.0/,
    );
    assert.match(p.text, /keep {4}extensions MDE\.Windows of VM avd-prod-3 — not copied/);
  });

  it('hosts on the target are kept and nothing else; all kept: nothing to replace', () => {
    const p = plan(pool([host('avd-prod-1', 0, { imageVersionId: V101 }), host('avd-prod-2', 1)]));
    assert.deepStrictEqual(
      p.kept.map((h) => h.vm!.name),
      ['avd-prod-1'],
    );
    assert.deepStrictEqual(
      p.batches.flatMap((b) => b.old.map((h) => h.vm!.name)),
      ['avd-prod-2'],
    );
    const done = plan(pool([host('avd-prod-1', 0, { imageVersionId: V101 })]), { batchSize: 1 });
    assert.ok(nothingToReplace(done));
    assert.match(done.text, /nothing to change/);
  });

  it('the pool tag gip.hostIndex keeps removed names from coming back', () => {
    const p = plan(FOUR(), { batchSize: 4 });
    assert.strictEqual(p.batches[0].create[0].name, 'avd-prod-5');
    const q = plan(pool(FOUR().hosts, { hostIndex: 11 }), { batchSize: 4 });
    assert.strictEqual(q.batches[0].create[0].name, 'avd-prod-12');
  });

  it('batchSize more than the pool is refused naming the input', () => {
    assert.throws(
      () => plan(FOUR(), { batchSize: 5 }),
      (err: Error) =>
        err.name === 'InputError' &&
        /^Input 'batchSize': 5 is more than the 4 session host\(s\) of pool 'hp-prod'/.test(
          err.message,
        ),
    );
  });

  it('a namePrefix too long for 15 characters with the index is refused', () => {
    assert.throws(
      () => plan(FOUR(), { namePrefix: 'avd-production-' }),
      (err: Error) => err.name === 'InputError' && err.message.startsWith("Input 'namePrefix'"),
    );
  });

  it('zones: new hosts spread over the zones the pool uses', () => {
    const hosts = [
      host('avd-prod-1', 0, { zones: ['1'], imageVersionId: V101 }),
      host('avd-prod-2', 0, { zones: ['1'] }),
      host('avd-prod-3', 0, { zones: ['2'] }),
      host('avd-prod-4', 0, { zones: ['3'] }),
    ];
    const p = plan(pool(hosts), {
      template: { ...TEMPLATE, zones: ['1', '2', '3'] },
      batchSize: 3,
      canary: 3,
    });
    const count = new Map<string, number>([['1', 1]]);
    for (const n of p.batches[0].create) count.set(n.zone!, (count.get(n.zone!) ?? 0) + 1);
    // One host stays in zone 1; three new ones make it 1/1/2 at worst, never all in one zone.
    assert.deepStrictEqual([...count.values()].sort(), [1, 1, 2]);
    assert.strictEqual(
      count.get('1'),
      1 + p.batches[0].create.filter((n) => n.zone === '1').length,
    );
  });

  it('resume: a VM made for the target replaces its old host (not made again) in batch 1', () => {
    const made = host('avd-prod-5', 0, {
      imageVersionId: V101,
      tags: { 'gip.rollout.target': V101, 'gip.rollout.replaces': 'avd-prod-3' },
    });
    const unregistered = vm('avd-prod-6', {
      imageVersionId: V101,
      tags: { 'gip.rollout.target': V101, 'gip.rollout.replaces': 'avd-prod-4' },
    });
    const p = plan(pool([...FOUR().hosts, made], { hostIndex: 6, unregistered: [unregistered] }));
    assert.deepStrictEqual(p.kept, []);
    const first = p.batches[0];
    assert.deepStrictEqual(
      first.old.map((h) => h.vm!.name),
      ['avd-prod-3', 'avd-prod-4'],
    );
    assert.deepStrictEqual(
      first.create.map((n) => [n.name, !!n.existing]),
      [
        ['avd-prod-5', true],
        ['avd-prod-6', true],
      ],
    );
    assert.deepStrictEqual(
      p.batches.slice(1).flatMap((b) => b.create.map((n) => n.name)),
      ['avd-prod-7', 'avd-prod-8'],
    );
  });

  it('resume: a drained host goes first and is shown as drained already', () => {
    const hosts = FOUR().hosts;
    hosts[0].vm!.tags['gip.rollout.drained'] = '2026-12-07T09:00:00Z';
    const p = plan(pool(hosts));
    assert.deepStrictEqual(
      p.batches[0].old.map((h) => h.vm!.name),
      ['avd-prod-1'],
    );
    assert.match(p.text, /drained already/);
  });

  it('after a finished canary the next run plans batches of batchSize', () => {
    const done = host('avd-prod-5', 0, {
      imageVersionId: V101,
      tags: { 'gip.rollout.target': V101, 'gip.rollout.replaces': 'avd-prod-9' },
    });
    const p = plan(pool([host('avd-prod-1'), host('avd-prod-2'), host('avd-prod-3'), done]));
    assert.deepStrictEqual(
      p.kept.map((h) => h.vm!.name),
      ['avd-prod-5'],
    );
    assert.deepStrictEqual(
      p.batches.map((b) => [b.canary, b.old.length]),
      [
        [false, 2],
        [false, 1],
      ],
    );
  });
});
