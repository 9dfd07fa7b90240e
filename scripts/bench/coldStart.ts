/**
 * Cold start of each task: from starting its process to its first request on the network (the
 * sign-in discovery call), median of several runs, the bundle side by side with the unbundled build
 * (out/tasks/<Task>/index.js with node_modules) in the same run. Not part of npm test.
 *   node out/scripts/bench/coldStart.js [runs]
 */
import * as net from 'net';
import * as path from 'path';
import { ROOT, TASKS } from '../tasks';
import { runTask } from '../runner/runner';
import { startSimulator } from '../../tests/sim';

/** A TCP forwarder in front of the simulator that notes when the first connection arrives. */
async function firstConnectionProbe(target: URL) {
  let first: number | undefined;
  const server = net.createServer((socket) => {
    first ??= performance.now();
    const upstream = net.connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  return {
    url,
    reset: () => {
      first = undefined;
    },
    first: () => first,
    close: () => server.close(),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 7);
  const sim = await startSimulator();
  const probe = await firstConnectionProbe(new URL(sim.info.armUrl));
  const info = { ...sim.info, armUrl: probe.url, authorityHost: probe.url };
  const measure = async (task: (typeof TASKS)[number], entry?: string) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      probe.reset();
      const started = performance.now();
      await runTask({ task, entry, sim: { info, state: () => sim.state() } });
      const first = probe.first();
      if (first === undefined) return undefined; // failed on its inputs before any request
      times.push(first - started);
    }
    return median(times);
  };
  console.log(`cold start, process start -> first request, median of ${runs} runs (ms)`);
  console.log('task                        bundled  unbundled  bundled/unbundled');
  for (const task of TASKS) {
    const bundled = await measure(task);
    const unbundled = await measure(task, path.join(ROOT, 'out', 'tasks', task, 'index.js'));
    if (bundled === undefined || unbundled === undefined) {
      console.log(`${task.padEnd(28)}  n/a: with no inputs it stops before any request`);
      continue;
    }
    console.log(
      `${task.padEnd(28)}${bundled.toFixed(0).padStart(7)}` +
        `${unbundled.toFixed(0).padStart(11)}${(bundled / unbundled).toFixed(2).padStart(19)}`,
    );
  }
  probe.close();
  await sim.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
