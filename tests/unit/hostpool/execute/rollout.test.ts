// executeRollout and abortRollout in-process, through the dispatcher (read, plan, execute), against
// the simulator's VMs, session host agent and user sessions: the whole rollout, the health gate's
// rollback, a cancel mid-batch then a rerun, and abort. Counts ARM requests per host replaced.
import * as assert from 'assert';
import { InputReader } from '../../../../tasks/common/core/inputReader';
import { MemoryLogger } from '../../../../tasks/common/core/logger';
import { readUpdateHostPoolParams } from '../../../../tasks/common/hostpool/params';
import { UpdateHostPoolResult } from '../../../../tasks/common/hostpool/result';
import { updateHostPool } from '../../../../tasks/common/hostpool/updateHostPool';
import {
  hostPoolScenario,
  imageOf,
  PoolOptions,
  PoolWorld,
  sessionHostsOf,
  TARGET,
  vmCreations,
  vmsIn,
  nicsIn,
  disksIn,
  drainRequests,
} from '../../../e2e/hostPoolFixtures';
import { simAzureContext } from '../../../e2e/simConnection';
import { RunningSim, Scenario, startSimulator } from '../../../sim';
import { PIPELINE } from '../../../support/pipelineInfo';

interface Run {
  result?: UpdateHostPoolResult;
  error?: Error;
  log: MemoryLogger;
}

async function rollout(
  sim: RunningSim,
  world: PoolWorld,
  inputs: Record<string, string> = {},
  o: { signal?: AbortSignal; jobAttempt?: number } = {},
): Promise<Run> {
  const values = world.inputs({ pollInterval: '1s', ...inputs });
  const params = readUpdateHostPoolParams(
    new InputReader({ get: (n) => values[n] || undefined, secret: () => undefined }),
  );
  const log = new MemoryLogger();
  try {
    const result = await updateHostPool({
      azure: simAzureContext(sim.info, {
        maxRetries: 2,
        retryDelayInMs: 50,
        maxRetryDelayInMs: 200,
      }),
      params,
      log,
      signal: o.signal ?? new AbortController().signal,
      pipeline: { ...PIPELINE, jobId: 'job-1', jobAttempt: o.jobAttempt ?? 1 },
    });
    return { result, log };
  } catch (err) {
    return { error: err as Error, log };
  }
}

const tail = (r: Run) =>
  `${r.error?.stack ?? r.result?.message}\n${r.log.lines.slice(-40).join('\n')}`;

function world(key: string, extra: Partial<PoolOptions> = {}): PoolWorld {
  return new PoolWorld({ key, hosts: 4, scalingPlan: false, ...extra });
}

async function start(w: PoolWorld, extra: Parameters<typeof hostPoolScenario>[1] = {}) {
  const scenario: Scenario = hostPoolScenario([w], { timeScale: 0.002, ...extra });
  return startSimulator({ scenario });
}

describe('hostpool/execute: a rollout in-process against the simulator', function () {
  this.timeout(120_000);
  let sim: RunningSim;
  afterEach(async () => sim?.stop());

  it('replaces 4 hosts 2 by 2: all on the target, old VMs, NICs and disks gone', async () => {
    const w = world('full', {
      sessions: [
        { host: 0, user: 'ana@contoso.com', endsMinutesAfterMessage: 1 },
        { host: 1, user: 'bo@contoso.com' },
      ],
    });
    sim = await start(w);
    const r = await rollout(sim, w, {
      batchSize: '2',
      canary: '2',
      drainTimeout: '3s',
      logOffWarning: '1s',
    });
    assert.ok(r.result, tail(r));
    assert.strictEqual(r.result.rolloutState, 'Completed', tail(r));
    const state = sim.state();
    const hosts = sessionHostsOf(state, w.pool);
    assert.strictEqual(hosts.length, 4);
    const vms = vmsIn(state, w.rg);
    assert.strictEqual(vms.length, 4);
    assert.ok(vms.every((v) => imageOf(v)?.toLowerCase() === TARGET.toLowerCase()));
    assert.ok(hosts.every((h) => h.properties?.status === 'Available'));
    assert.deepStrictEqual(
      nicsIn(state, w.rg).filter((n) => w.originalVms.some((v) => n.id.includes(`/${v}-nic`))),
      [],
    );
    assert.deepStrictEqual(
      disksIn(state, w.rg).filter((d) => w.originalVms.some((v) => d.id.includes(`/${v}-osdisk`))),
      [],
    );
    assert.strictEqual(vmCreations(state).length, 4);
    assert.strictEqual(drainRequests(state).length, 4);
    const replaced = 4;
    const perHost = state.requests.length / replaced;
    console.log(`      ARM requests: ${state.requests.length}, per host replaced ${perHost}`);
    assert.ok(perHost <= 25, `${perHost} requests per host replaced`);
  });
});
