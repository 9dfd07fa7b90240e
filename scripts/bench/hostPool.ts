/**
 * UpdateHostPool's rollout pace and request cost, through the runner (the bundle, as an agent runs
 * it) against the simulator, each run with a simulator of its own:
 *   - "one batch": 8 Entra-joined hosts replaced in one batch (batchSize 8, canary 8);
 *   - "rollout": 40 such hosts, batchSize 8, canary 8: five batches.
 * Every other host has a user who signs out 10 nominal minutes after the drain message, so each
 * batch waits for new hosts to become Available (4 nominal minutes) and for a drain. The task's
 * own durations are its defaults scaled by timeScale (poll 30 s, health timeout 30 m, drain
 * timeout 60 m, warning 5 m), so it polls as often per simulated hour as it would in Azure.
 * It prints, each beside its goal (issue 12):
 *   - simulated time of the whole rollout run / (5 × simulated time of one batch): goal <= 1.2.
 *     One batch's time is the one-batch run's from its batch's start (its `Batch 1 of 1` section)
 *     to its end, so the rollout's reading, planning, lease and token count against it;
 *   - ARM requests per host replaced (every request of the rollout run / hosts removed): goal
 *     <= 25.
 * Simulated time = wall time / timeScale. Not part of npm test; needs `npm run build` first:
 *   node out/scripts/bench/hostPool.js [timeScale=0.0334]
 * The task's poll interval has a floor of 1 s, so the default poll needs timeScale >= 0.0334.
 */
import { runTask, RunResult } from '../runner/runner';
import { startSimulator } from '../../tests/sim';
import { hostPoolScenario, PoolWorld } from '../../tests/e2e/hostPoolFixtures';

const BATCH = 8;
const HOSTS = 40;
const GOAL_RATIO = 1.2;
const GOAL_REQUESTS = 25;

interface Measured {
  label: string;
  hosts: number;
  run: RunResult;
  simulatedMinutes: number;
  /** From the first batch's start to the end of the run. */
  batchesMinutes: number;
  requestsPerHost: number;
  byMethod: Record<string, number>;
  /** GETs by what they read. */
  gets: Record<string, number>;
}

/** What a GET reads, from its path: where a request budget goes. */
function getKind(path: string): string {
  const p = path.split('?')[0].toLowerCase();
  if (/\/(operations|operationstatuses|asyncoperations)\//.test(p)) return 'operation polls';
  if (/\/usersessions$/.test(p)) return 'user session lists';
  if (/\/sessionhosts$/.test(p)) return 'session host lists';
  if (/\/sessionhosts\/[^/]+$/.test(p)) return 'session hosts';
  if (/\/extensions(\/[^/]+)?$/.test(p)) return 'VM extensions';
  if (/\/virtualmachines\/[^/]+$/.test(p)) return 'VMs';
  if (/\/hostpools\/[^/]+$/.test(p)) return 'host pool';
  return 'other';
}

const world = (key: string, hosts: number) =>
  new PoolWorld({
    key,
    hosts,
    vmManagedParts: true,
    sessions: Array.from({ length: Math.ceil(hosts / 2) }, (_, i) => ({
      host: i * 2,
      user: `user${i}@contoso.com`,
      endsMinutesAfterMessage: 10,
    })),
  });

async function measure(label: string, w: PoolWorld, timeScale: number): Promise<Measured> {
  const scaled = (ms: number) => `${Math.max(1000, Math.round(ms * timeScale))}ms`;
  const sim = await startSimulator({ scenario: hostPoolScenario([w], { timeScale }) });
  try {
    const started = performance.now();
    let firstBatchAt: number | undefined;
    const run = await runTask({
      task: 'UpdateHostPool',
      sim,
      onOutput: (chunk) => {
        if (firstBatchAt === undefined && /##\[group\]Batch 1 of/.test(chunk))
          firstBatchAt = performance.now() - started;
      },
      inputs: w.inputs({
        batchSize: String(BATCH),
        canary: String(BATCH),
        pollInterval: scaled(30_000),
        healthTimeout: scaled(30 * 60_000),
        drainTimeout: scaled(60 * 60_000),
        logOffWarning: scaled(5 * 60_000),
      }),
    });
    if (run.result !== 'Succeeded' || run.outputs.rolloutState !== 'Completed')
      throw new Error(
        `${label}: ${run.result ?? 'no result'} ${run.message ?? ''}\n${run.stdout.slice(-3000)}`,
      );
    const removed = Number(run.outputs.hostsRemoved);
    const byMethod: Record<string, number> = {};
    const gets: Record<string, number> = {};
    for (const r of run.state.requests) {
      byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
      if (r.method === 'GET') gets[getKind(r.path)] = (gets[getKind(r.path)] ?? 0) + 1;
    }
    return {
      label,
      hosts: w.options.hosts,
      run,
      simulatedMinutes: run.durationMs / timeScale / 60_000,
      batchesMinutes: (run.durationMs - (firstBatchAt ?? 0)) / timeScale / 60_000,
      requestsPerHost: run.state.requests.length / removed,
      byMethod,
      gets,
    };
  } finally {
    await sim.stop();
  }
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);

function print(one: Measured, all: Measured): void {
  const batches = HOSTS / BATCH;
  const ratio = all.simulatedMinutes / (batches * one.batchesMinutes);
  const rows: [string, string, string][] = [
    ['', 'measured', 'goal'],
    [`one batch (${one.hosts} hosts), simulated minutes`, fixed(one.batchesMinutes, 1), ''],
    ['  (its whole run)', fixed(one.simulatedMinutes, 1), ''],
    [`rollout (${all.hosts} hosts), simulated minutes`, fixed(all.simulatedMinutes, 1), ''],
    [`rollout / (${batches} × one batch)`, fixed(ratio), `<= ${GOAL_RATIO}`],
    [
      'ARM requests per host replaced (rollout)',
      fixed(all.requestsPerHost, 1),
      `<= ${GOAL_REQUESTS}`,
    ],
    ['ARM requests per host replaced (one batch)', fixed(one.requestsPerHost, 1), ''],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
  for (const [k, v, g] of rows) console.log(`${k.padEnd(w0)}${v.padEnd(12)}${g}`);
  for (const m of [one, all])
    console.log(
      `  ${m.label}: ${m.run.state.requests.length} requests (` +
        `${Object.entries(m.byMethod)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}), wall ${fixed(m.run.durationMs / 1000, 1)} s`,
    );
  console.log(
    `  rollout GETs: ${Object.entries(all.gets)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  const ok = ratio <= GOAL_RATIO && all.requestsPerHost <= GOAL_REQUESTS;
  console.log(ok ? 'Both goals met.' : 'A goal is not met.');
}

async function main(): Promise<void> {
  const timeScale = Number(process.argv[2] ?? 0.0334);
  console.log(
    `UpdateHostPool bench: ${HOSTS} hosts, batchSize ${BATCH} (canary ${BATCH}), against one ` +
      `batch of ${BATCH}; timeScale ${timeScale}`,
  );
  const [one, all] = await Promise.all([
    measure('one batch', world('bench-one', BATCH), timeScale),
    measure('rollout', world('bench-all', HOSTS), timeScale),
  ]);
  print(one, all);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
