/**
 * BuildImage's live log and polling, side by side in one run: the same Windows build with a long
 * log (an inline PowerShell script printing `lines` lines) run three times at once through the
 * runner (the bundle, as an agent runs it), and a quiet one beside them, each against a simulator
 * of its own so every ARM request in a simulator's state belongs to one build:
 *   - "30 s poll": the task's default poll interval (30 s) scaled to the simulator, 30 s ×
 * timeScale, so it
 *     reads as often per simulated hour as it would in Azure;
 *   - "naive": the same build polled 4 times as often (the baseline);
 *   - "container lost": the default poll with the container's logs API answering 404 after its
 * first read,
 *     so nearly the whole log is read from customization.log (with the container there to the end,
 * only the
 *     last line printed is read from the blob, to check that the two agree);
 *   - "quiet": the default poll on a build whose log mostly stands still or trickles (a two-line
 * script, a
 *     restart and Windows Update: a line every half minute or so), where the poll reads the log
 *     less often the less the last read brought (every 2nd poll after two new lines, every 3rd
 *     after one, every 3rd then 5th after none). Its log is small (75 lines), so its container-log
 *     ratio is mostly the two lines already printed that each read carries to find where the new
 *     ones start (timestamps may repeat, so one is not enough): reading more new lines at a time
 *     brings it down (3.56 when the log was read every other poll).
 * For each it prints
 *   - bytes fetched / log size, from the task's "Build log:" line: customization.log range reads
 * over the
 *     blob's size (target <= 1.05), and container-log reads over the container log's size (target
 * <= 3);
 *     the container log is the same lines, each behind a 30-character RFC3339Nano timestamp and a
 * space;
 *   - lines printed once / lines written (must be 1.0): each customization.log line (read from the
 * staging
 *     account, the template being kept) counted in the task's stdout, plus whether stdout has them
 * in order;
 *   - ARM reads (GET) per simulated build-hour (target <= 240) over the whole run and while waiting
 * (from the
 *     first "Image Builder:" phase line to the end); simulated hours = wall time / timeScale.
 * Not part of npm test; needs `npm run build` first:
 *   node out/scripts/bench/buildImage.js [lines=1500] [timeScale=0.014]
 * The poll interval has a floor of 100 ms, so the naive row needs timeScale >= 0.0134.
 */
import { runTask, RunResult } from '../runner/runner';
import { Fault, RunningSim, startSimulator, StateDump } from '../../tests/sim';
import { baseResources, blobService, IMAGE_WIN } from '../../tests/sim/domain/support';

const DEFAULT_POLL_MS = 30_000;
/**
 * `2024-11-21T08:05:09.123456789Z `: what a timestamped container-log line carries beyond its text.
 */
const TIMESTAMP_BYTES = 31;
/**
 * The logs API answers only the first read (the whole log, no `tail`), then 404 as if the container
 * were gone, so the rest of the log is read from customization.log at the end, with a range from
 * what was printed.
 */
const CONTAINER_LOG_GONE: Fault = {
  method: 'GET',
  path: '/containers/[^/]+/logs\\?.*\\btail=',
  status: 404,
  times: 1e9,
};
const INPUTS = {
  location: 'westeurope',
  resourceGroup: 'rg-img',
  managedIdentity: 'aib-identity',
  keepTemplate: 'true',
  sourceImage: 'MicrosoftWindowsDesktop:windows-11:win11-23h2-ent',
  galleryImageDefinitionId: IMAGE_WIN,
  scriptSource: 'inline',
};

interface Row {
  label: string;
  pollMs: number;
  run: RunResult;
  /**
   * Wall time (ms since the run started) of the first "Image Builder:" line: the wait has begun.
   */
  waitFromMs: number;
  logBytes: number;
  logLines: number;
  fetched: { container: number; containerReads: number; blob: number; blobReads: number };
  printedOnce: number;
  missing: number;
  repeated: number;
  inOrder: boolean;
  gets: { all: number; waiting: number; template: number; logs: number };
  /**
   * Container-log reads of the whole log (no `tail`) and the largest `tail` asked for, from the
   * request paths.
   */
  tails: { whole: number; largest: number };
}

/**
 * A script whose lines look like an installer's output, each one distinct. Short lines: the runner
 * hands inputs over as environment variables, and Linux caps one at 128 KiB (E2BIG), about 2,000 of
 * these.
 */
function longScript(lines: number): string {
  const width = String(lines).length;
  return Array.from(
    { length: lines },
    (_, i) =>
      `Write-Host "[${String(i + 1).padStart(width, '0')}/${lines}] Installing component ` +
      `${i % 37}: pkg${i}"`,
  ).join('\n');
}

async function measure(
  label: string,
  sim: RunningSim,
  pollMs: number,
  inputs: Record<string, string>,
): Promise<Row> {
  const started = performance.now();
  let waitFromMs: number | undefined;
  const run = await runTask({
    task: 'BuildImage',
    sim,
    inputs: { ...INPUTS, ...inputs, pollInterval: `${Math.round(pollMs)}ms` },
    onOutput: (chunk) => {
      if (waitFromMs === undefined && chunk.includes('Image Builder: '))
        waitFromMs = performance.now() - started;
    },
  });
  if (run.result !== 'Succeeded')
    throw new Error(
      `${label}: the build ended ${run.result ?? 'without a result'}: ` +
        `${run.message ?? ''}\n${run.stdout.slice(-3000)}`,
    );

  const written = await customizationLog(sim, run.state);
  const logBytes = Buffer.byteLength(written.map((l) => `${l}\n`).join(''), 'utf8');
  const texts = written.map((l) => l.replace(/^\[[0-9a-f-]{36}\] /, ''));
  const known = new Set(texts);
  const printed = run.stdout
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => known.has(l));
  const count = (xs: string[]) =>
    xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const want = count(texts);
  const got = count(printed);
  let printedOnce = 0;
  let missing = 0;
  let repeated = 0;
  for (const [text, n] of want) {
    const m = got.get(text) ?? 0;
    if (m === n) printedOnce += n;
    else if (m < n) missing += n - m;
    else repeated += m - n;
  }

  const f = new RegExp(
    'Build log: (\\d+) lines printed \\(container log: (\\d+) bytes in (\\d+) reads; ' +
      'customization\\.' +
      'log: (\\d+) bytes in (\\d+) reads\\)',
  ).exec(run.stdout);
  if (!f) throw new Error(`${label}: the task printed no "Build log:" line`);

  // The run POST starts the wait; everything read after it is polling (template, logs, LRO status).
  const requests = run.state.requests;
  const pathOf = (q: { path: string }) => q.path.split('?')[0];
  const runAt = requests.findIndex(
    (q) => q.method === 'POST' && /\/imageTemplates\/[^/]+\/run$/i.test(pathOf(q)),
  );
  const isGet = (q: { method: string }) => q.method === 'GET';
  const logReads = requests.filter(
    (q) => isGet(q) && q.status === 200 && /\/containers\/[^/]+\/logs$/i.test(pathOf(q)),
  );
  const tailOf = (q: { path: string }) => /[?&]tail=(\d+)/.exec(q.path)?.[1];
  return {
    tails: {
      whole: logReads.filter((q) => tailOf(q) === undefined).length,
      largest: Math.max(0, ...logReads.map((q) => Number(tailOf(q) ?? 0))),
    },
    label,
    pollMs,
    run,
    waitFromMs: waitFromMs ?? 0,
    logBytes,
    logLines: written.length,
    fetched: {
      container: Number(f[2]),
      containerReads: Number(f[3]),
      blob: Number(f[4]),
      blobReads: Number(f[5]),
    },
    printedOnce,
    missing,
    repeated,
    inOrder: printed.join('\n') === texts.join('\n'),
    gets: {
      all: requests.filter(isGet).length,
      waiting: requests.slice(runAt + 1).filter(isGet).length,
      template: requests.filter((q) => isGet(q) && /\/imageTemplates\/[^/]+$/i.test(pathOf(q)))
        .length,
      logs: requests.filter((q) => isGet(q) && /\/containers\/[^/]+\/logs$/i.test(pathOf(q)))
        .length,
    },
  };
}

/** customization.log from the staging account of the kept template, as lines. */
async function customizationLog(sim: RunningSim, state: StateDump): Promise<string[]> {
  const template = state.resources.find(
    (x) => x.type === 'Microsoft.VirtualMachineImages/imageTemplates',
  );
  const props = template?.properties as { exactStagingResourceGroup?: string } | undefined;
  const staging = String(props?.exactStagingResourceGroup ?? '').toLowerCase();
  const account = state.resources.find(
    (x) =>
      x.type === 'Microsoft.Storage/storageAccounts' &&
      x.id.toLowerCase().startsWith(`${staging}/`),
  );
  if (!template || !account) throw new Error('the kept template or its staging account is missing');
  const blobs = (await blobService(sim, account.id)).getContainerClient('packerlogs');
  const names: string[] = [];
  for await (const b of blobs.listBlobsFlat())
    if (b.name.endsWith('/customization.log')) names.push(b.name);
  if (names.length !== 1) throw new Error(`expected one customization.log, found ${names.length}`);
  return (await blobs.getBlobClient(names[0]).downloadToBuffer())
    .toString('utf8')
    .replace(/\n$/, '')
    .split('\n');
}

const fixed = (x: number, d = 2) => x.toFixed(d);

function print(rows: Row[], timeScale: number): void {
  const hours = (ms: number) => ms / timeScale / 3_600_000;
  const table: [string, (r: Row) => string][] = [
    [
      'poll interval (real ms / simulated s)',
      (r) => `${Math.round(r.pollMs)} / ${fixed(r.pollMs / timeScale / 1000, 1)}`,
    ],
    [
      'run: wall s / simulated h',
      (r) => `${fixed(r.run.durationMs / 1000, 1)} / ${fixed(hours(r.run.durationMs))}`,
    ],
    ['customization.log: lines / bytes', (r) => `${r.logLines} / ${r.logBytes}`],
    [
      'customization.log fetched / size (<= 1.05)',
      (r) =>
        `${fixed(r.fetched.blob / r.logBytes)} (${r.fetched.blob} B, ${r.fetched.blobReads} reads)`,
    ],
    [
      'container log fetched / size (<= 3)',
      (r) =>
        `${fixed(r.fetched.container / (r.logBytes + TIMESTAMP_BYTES * r.logLines))} ` +
        `(${r.fetched.container} B, ${r.fetched.containerReads} reads)`,
    ],
    [
      '  container reads of the whole log / largest tail',
      (r) => `${r.tails.whole} / ${r.tails.largest} lines`,
    ],
    [
      'lines printed once / written (= 1.0)',
      (r) =>
        `${fixed(r.printedOnce / r.logLines, 3)} (missing ${r.missing}, repeated ` +
        `${r.repeated}, ${r.inOrder ? 'in order' : 'OUT OF ORDER'})`,
    ],
    [
      'ARM GETs, whole run: n / per sim. hour',
      (r) => `${r.gets.all} / ${fixed(r.gets.all / hours(r.run.durationMs), 0)}`,
    ],
    [
      'ARM GETs while waiting / sim. hour (<= 240)',
      (r) =>
        `${r.gets.waiting} / ${fixed(r.gets.waiting / hours(r.run.durationMs - r.waitFromMs), 0)}`,
    ],
    ['  of which template GETs / log GETs', (r) => `${r.gets.template} / ${r.gets.logs}`],
  ];
  const w0 = Math.max(...table.map(([k]) => k.length)) + 2;
  const w = rows.map((r) => Math.max(r.label.length, ...table.map(([, f]) => f(r).length)) + 2);
  console.log(`${''.padEnd(w0)}${rows.map((r, i) => r.label.padEnd(w[i])).join('')}`);
  for (const [k, f] of table)
    console.log(`${k.padEnd(w0)}${rows.map((r, i) => f(r).padEnd(w[i])).join('')}`);
}

async function main(): Promise<void> {
  const lines = Number(process.argv[2] ?? 1500);
  const timeScale = Number(process.argv[3] ?? 0.014);
  const poll = DEFAULT_POLL_MS * timeScale;
  if (poll / 4 < 100)
    throw new Error(
      `timeScale ${timeScale} makes the naive poll ${fixed(poll / 4, 0)} ms, below the ` +
        `task's 100 ms floor: use timeScale >= 0.0134`,
    );
  const script = longScript(lines);
  console.log(
    `BuildImage bench: Windows build, inline PowerShell printing ${lines} lines, timeScale ` +
      `${timeScale}, three builds at once (one simulator each), and a quiet one`,
  );
  const sims = await Promise.all(
    [[], [], [CONTAINER_LOG_GONE], []].map((faults) =>
      startSimulator({ scenario: { timeScale, resources: baseResources(), faults } }),
    ),
  );
  const long = { inlineScript: script };
  const quiet = {
    inlineScript: 'Write-Host "configuring"\nWrite-Host "done"',
    restart: 'true',
    windowsUpdate: 'true',
  };
  try {
    const rows = await Promise.all([
      measure('30 s poll (default)', sims[0], poll, long),
      measure('naive: 7.5 s poll', sims[1], poll / 4, long),
      measure('30 s poll, container lost', sims[2], poll, long),
      measure('30 s poll, quiet build', sims[3], poll, quiet),
    ]);
    print(rows, timeScale);
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
