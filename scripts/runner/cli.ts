/**
 * npm run task -- <TaskName> [--input name=value]... [--inputs-file f.json] [--var name=value]...
 *   [--secret-var name=value]... [--scenario f.json] [--state-out f.json]
 *   [--auth sp|sp-cert|wif|msi] [--connection-id GUID] [--subscription-id GUID] [--workdir DIR]
 * A secret variable reaches the task as the agent passes one (usable in inputs as `$(name)`) and
 * its value is printed as `***`.
 * Exit codes: 0 Succeeded or SucceededWithIssues, 1 Failed, 2 Cancelled, 3 the runner itself
 * failed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildTasks } from '../build';
import { AuthKind } from '../agentEnv';
import { TASKS, TaskName, taskDir } from '../tasks';
import { exitCodeFor, RunOptions, runTask } from './runner';

const AUTH_KINDS: AuthKind[] = ['sp', 'sp-cert', 'wif', 'msi'];

export interface CliArgs {
  options: RunOptions;
  stateOut?: string;
}

export function parseArgs(argv: string[]): CliArgs {
  const [task, ...rest] = argv;
  if (!TASKS.includes(task as TaskName))
    throw new Error(`First argument: the task name, one of ${TASKS.join(', ')}.`);
  const options: RunOptions = {
    task: task as TaskName,
    inputs: {},
    vars: {},
    secretVariables: {},
  };
  let inputsFile: Record<string, string> = {};
  let stateOut: string | undefined;
  const pair = (flag: string, value: string | undefined): [string, string] => {
    const at = value?.indexOf('=') ?? -1;
    if (!value || at < 1) throw new Error(`${flag} expects name=value, got '${value ?? ''}'.`);
    return [value.slice(0, at), value.slice(at + 1)];
  };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[++i];
    if (value === undefined) throw new Error(`${flag} needs a value.`);
    switch (flag) {
      case '--input': {
        const [k, v] = pair(flag, value);
        options.inputs![k] = v;
        break;
      }
      case '--var': {
        const [k, v] = pair(flag, value);
        options.vars![k] = v;
        break;
      }
      case '--secret-var': {
        const [k, v] = pair(flag, value);
        options.secretVariables![k] = v;
        break;
      }
      case '--inputs-file':
        inputsFile = readJson(value, flag);
        break;
      case '--scenario':
        options.scenario = readJson(value, flag);
        break;
      case '--state-out':
        stateOut = path.resolve(value);
        break;
      case '--auth':
        if (!AUTH_KINDS.includes(value as AuthKind))
          throw new Error(`--auth is one of ${AUTH_KINDS.join(', ')}, got '${value}'.`);
        options.auth = value as AuthKind;
        break;
      case '--connection-id':
        options.connectionId = value;
        break;
      case '--subscription-id':
        options.subscriptionId = value;
        break;
      case '--workdir':
        options.workdir = path.resolve(value);
        break;
      default:
        throw new Error(`Unknown option '${flag}'.`);
    }
  }
  options.inputs = { ...inputsFile, ...options.inputs }; // --input wins over the file
  return { options, stateOut };
}

function readJson<T>(file: string, flag: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new Error(`${flag} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Rebuilds the bundles when a TypeScript source under tasks/ is newer than the task's bundle. */
async function buildIfNeeded(task: TaskName): Promise<void> {
  const bundle = path.join(taskDir(task), 'index.js');
  const built = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0;
  const sources = fs
    .readdirSync(path.dirname(taskDir(task)), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') || f.endsWith('task.json'));
  const newest = Math.max(
    ...sources.map((f) => fs.statSync(path.join(path.dirname(taskDir(task)), f)).mtimeMs),
  );
  if (newest > built) await buildTasks();
}

async function main(): Promise<number> {
  const { options, stateOut } = parseArgs(process.argv.slice(2));
  await buildIfNeeded(options.task);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const run = await runTask({
    ...options,
    signal: controller.signal,
    onOutput: (chunk) => process.stdout.write(chunk),
  });
  if (stateOut) fs.writeFileSync(stateOut, `${JSON.stringify(run.state, null, 2)}\n`);
  if (!run.result)
    console.error(
      `runner: ${options.task} ended (exit code ${run.exitCode}) without reporting a result.`,
    );
  return exitCodeFor(run.result);
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`runner: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(3);
    },
  );
}
