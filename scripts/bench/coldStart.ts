/**
 * Cold start of each task: from starting its process to its first request on the network (the
 * sign-in discovery call), median of several runs, the bundle side by side with the unbundled build
 * (out/tasks/<Task>/index.js with node_modules) in the same run. Each task gets the inputs of an
 * everyday run (EVERYDAY_INPUTS), so it measures what people run, up to the first request. Two
 * figures: wall time (what an agent waits; on a busy machine mostly waiting for a CPU), and the
 * CPU time the task's process spent until that request (user + system, read in the process by a
 * preloaded probe at its first outgoing connection), which a busy machine barely changes. Not
 * part of npm test.
 *   node out/scripts/bench/coldStart.js [runs]
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ROOT, TASKS } from '../tasks';
import { EVERYDAY_INPUTS } from './everydayInputs';
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

/** Preloaded into a task's process: prints its CPU time at its first outgoing connection. */
const CPU_PROBE = `
const net = require('net');
const connect = net.Socket.prototype.connect;
let seen = false;
net.Socket.prototype.connect = function (...args) {
  if (!seen) {
    seen = true;
    const c = process.cpuUsage();
    process.stderr.write('##gip-cold-start cpu=' + ((c.user + c.system) / 1000).toFixed(1) + '\\n');
  }
  return connect.apply(this, args);
};
`;

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 7);
  const sim = await startSimulator();
  const probe = await firstConnectionProbe(new URL(sim.info.armUrl));
  const info = { ...sim.info, armUrl: probe.url, authorityHost: probe.url };
  const probeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-cold-')), 'probe.js');
  fs.writeFileSync(probeFile, CPU_PROBE);
  const measure = async (task: (typeof TASKS)[number], entry?: string) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      probe.reset();
      const started = performance.now();
      const r = await runTask({
        task,
        entry,
        inputs: EVERYDAY_INPUTS[task],
        env: { NODE_OPTIONS: `--require ${probeFile}` },
        sim: { info, state: () => sim.state() },
      });
      const first = probe.first();
      if (first === undefined) return undefined; // failed on its inputs before any request
      wall.push(first - started);
      cpu.push(Number(/##gip-cold-start cpu=([\d.]+)/.exec(r.stdout)?.[1] ?? NaN));
    }
    return { wall: median(wall), cpu: median(cpu) };
  };
  // Node itself, connecting at once: the floor any task stands on (on a busy machine, higher).
  const floor: number[] = [];
  const floorCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    probe.reset();
    const started = performance.now();
    const port = new URL(probe.url).port;
    const stderr = await new Promise<string>((r) =>
      execFile(
        process.execPath,
        [
          '--require',
          probeFile,
          '-e',
          `require('net').connect(${port}, '127.0.0.1', () => process.exit(0))`,
        ],
        (_err, _out, err) => r(err),
      ),
    );
    floor.push((probe.first() ?? NaN) - started);
    floorCpu.push(Number(/##gip-cold-start cpu=([\d.]+)/.exec(stderr)?.[1] ?? NaN));
  }
  console.log(`cold start, process start -> first request, median of ${runs} runs (ms)`);
  console.log(
    `node alone (connects at once): wall ${median(floor).toFixed(0)}, cpu ` +
      `${median(floorCpu).toFixed(0)}`,
  );
  console.log('task                       bundled: wall   cpu    unbundled: wall   cpu');
  for (const task of TASKS) {
    const bundled = await measure(task);
    const unbundled = await measure(task, path.join(ROOT, 'out', 'tasks', task, 'index.js'));
    if (bundled === undefined || unbundled === undefined) {
      console.log(`${task.padEnd(28)}  n/a: it stopped before any request`);
      continue;
    }
    const ms = (n: number, width: number) => n.toFixed(0).padStart(width);
    console.log(
      `${task.padEnd(28)}${ms(bundled.wall, 12)}${ms(bundled.cpu, 6)}` +
        `${ms(unbundled.wall, 18)}${ms(unbundled.cpu, 6)}`,
    );
  }
  probe.close();
  await sim.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
