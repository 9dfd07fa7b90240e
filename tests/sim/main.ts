// CLI: node out/tests/sim/main.js [--scenario file.json] [--info-out file.json] [--state-out
// file.json] Prints `SIM_READY <info json>` once listening; on SIGINT/SIGTERM writes the state dump
// and exits 0.
import * as fs from 'fs';
import { startSimulator } from './index';
import type { Scenario } from './types';

function parseArgs(argv: string[]): { scenario?: string; infoOut?: string; stateOut?: string } {
  const out: { scenario?: string; infoOut?: string; stateOut?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--scenario') out.scenario = value();
    else if (a === '--info-out') out.infoOut = value();
    else if (a === '--state-out') out.stateOut = value();
    else
      throw new Error(
        `unknown argument ${a}; usage: main.js [--scenario file.json] [--info-out ` +
          `file.json] [--state-out file.json]`,
      );
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scenario: Scenario | undefined = args.scenario
    ? JSON.parse(fs.readFileSync(args.scenario, 'utf8'))
    : undefined;
  const sim = await startSimulator({ scenario, log: (line) => process.stderr.write(line + '\n') });
  if (args.infoOut) fs.writeFileSync(args.infoOut, JSON.stringify(sim.info, null, 2));
  process.stdout.write(`SIM_READY ${JSON.stringify(sim.info)}\n`);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const state = sim.state();
    await sim.stop();
    if (args.stateOut) fs.writeFileSync(args.stateOut, JSON.stringify(state, null, 2));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

// Only as a program: a test runner that loads every file of the folder must not start one.
if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`simulator failed to start: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  });
}
