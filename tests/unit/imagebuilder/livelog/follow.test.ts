import * as assert from 'assert';
import { AzureContext } from '../../../../tasks/common/azure/clients';
import { MemoryLogger } from '../../../../tasks/common/core/logger';
import { BuildClients } from '../../../../tasks/common/imagebuilder/clients';
import { followBuild } from '../../../../tasks/common/imagebuilder/livelog/follow';

/**
 * The follow loop's reads, poll by poll, against a scripted build: each poll is one `progress`
 * call, which advances the build by one step. What each poll read is recorded, to check the
 * schedule in follow.ts.
 */
interface Step {
  sub: string;
  state?: string;
  lines?: number;
}

function scriptedBuild(steps: Step[]) {
  let poll = 0;
  const written: { ts: string; text: string }[] = [];
  const reads: { poll: number; what: 'status' | 'log' }[] = [];
  const step = () => steps[Math.min(poll, steps.length - 1)];
  const advance = () => {
    poll++;
    for (let i = 0; i < (step().lines ?? 0); i++) {
      written.push({
        ts:
          `2024-11-21T08:${String(Math.floor(written.length / 60)).padStart(2, '0')}:` +
          `${String(written.length % 60).padStart(2, '0')}.5Z`,
        text: `line ${written.length}`,
      });
    }
  };
  // Read with `for await`, which takes a plain generator as well.
  function* groups() {
    if (step().sub !== 'Queued')
      yield {
        name: 'vmimagebuilder-build-container-abc',
        containers: [{ name: 'packerizer' }],
        instanceView: { state: 'Running' },
      };
  }
  async function* none() {
    /* no staging account: the blob is not read */
  }
  const clients = {
    aib: {
      virtualMachineImageTemplates: {
        get: () => {
          reads.push({ poll, what: 'status' });
          const s = step();
          return Promise.resolve({
            name: 't',
            exactStagingResourceGroup: '/subscriptions/s/resourceGroups/IT_rg_t',
            lastRunStatus: {
              runState: s.state ?? 'Running',
              runSubState: s.sub,
              startTime: new Date().toISOString(),
            },
          });
        },
      },
    },
    aci: {
      containerGroups: { listByResourceGroup: () => groups() },
      containers: {
        listLogs: (_rg: string, _g: string, _c: string, o: { tail?: number }) => {
          reads.push({ poll, what: 'log' });
          const pick = o.tail === undefined ? written : written.slice(-o.tail);
          return Promise.resolve({ content: pick.map((l) => `${l.ts} ${l.text}\n`).join('') });
        },
      },
    },
    storage: { storageAccounts: { listByResourceGroup: () => none() } },
  } as unknown as BuildClients;
  const log = new MemoryLogger();
  log.progress = (p, d) => {
    log.lines.push(`progress: ${p}% ${d}`);
    advance();
  };
  return { clients, log, reads, written, polls: () => poll };
}

describe('imagebuilder: follow loop reads', () => {
  it(
    'status every other poll while the log flows; the log less often the quieter it is ' +
      '(at most 4 polls unread), none while queued',
    async () => {
      const steps: Step[] = [
        { sub: 'Queued' },
        { sub: 'Queued' },
        { sub: 'Queued' },
        { sub: 'Building' },
        { sub: 'Building' },
        { sub: 'Building', lines: 3 },
        ...Array.from({ length: 12 }, () => ({ sub: 'Customizing', lines: 5 })),
        ...Array.from({ length: 10 }, () => ({ sub: 'Customizing' })), // a restart: nothing written
        ...Array.from({ length: 4 }, () => ({ sub: 'Customizing', lines: 2 })),
        ...Array.from({ length: 6 }, () => ({ sub: 'Distributing' })),
        { sub: 'Distributing', state: 'Succeeded' },
      ];
      const b = scriptedBuild(steps);
      const f = await followBuild({
        azure: {} as AzureContext,
        clients: b.clients,
        resourceGroup: 'rg',
        name: 't',
        customizers: ['a'],
        pollIntervalMs: 1,
        log: b.log,
        signal: new AbortController().signal,
      });
      assert.deepStrictEqual(
        f.printer.all,
        b.written.map((l) => l.text),
        'every line once, in order',
      );
      assert.deepStrictEqual(
        f.phases.map((p) => p.phase),
        ['Queued', 'Building', 'Customizing', 'Distributing'],
      );
      const polls = b.polls();
      const at = (what: 'status' | 'log') =>
        new Set(b.reads.filter((r) => r.what === what).map((r) => r.poll));
      const status = at('status');
      const logs = at('log');
      for (let p = 0; p <= polls; p++) {
        assert.ok(status.has(p) || status.has(p - 1), `status read at poll ${p} or ${p - 1}`);
        if (steps[p].sub === 'Queued')
          assert.ok(!logs.has(p), `no log read while queued (poll ${p})`);
        else if (steps[p - 1]?.sub !== 'Queued')
          assert.ok(
            [0, 1, 2, 3, 4].some((k) => logs.has(p - k)),
            `log read within the 5 polls up to ${p}`,
          );
      }
      assert.ok(
        status.has(polls) && logs.has(polls),
        'the end: status seen, the container read once more',
      );
      assert.ok(
        polls <= steps.length,
        `the end seen within one poll of it (${polls} polls for ${steps.length} steps)`,
      );
      const reads = b.reads.length;
      assert.ok(reads <= Math.ceil(1.6 * (polls + 1)), `${reads} reads in ${polls + 1} polls`);
    },
  );
});
