/**
 * Runs a bundled task exactly as an agent would: its own Node process in the work folder, the
 * agent's environment contract (INPUT_ variables for every declared input, aliases resolved and
 * task.json defaults filled in as the server and agent do; ENDPOINT_, SYSTEM_, BUILD_ and AGENT_
 * variables), a fresh Agent.TempDirectory, and the agent's cancellation (SIGINT, then SIGTERM 7.5 s
 * later, then a kill). Azure is the embedded simulator: started here, or an already-running one
 * named by GIP_SIM_INFO (the file its CLI writes).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import {
  AuthKind,
  endpointEnv,
  InputDefinition,
  inputEnv,
  resolveInputs,
  rootFilePathInputs,
  variableEnv,
} from '../agentEnv';
import { TASKS, TaskName, taskDir } from '../tasks';
import { defaultPipelineVars } from './pipelineVars';
import { expandMacros, SecretMasker, secretEnv } from './secretVars';
import type { Scenario, SimInfo, StateDump } from '../../tests/sim';

/** The runner's service connection id when none is given (lower case, as agents pass it). */
export const DEFAULT_CONNECTION_ID = '5d1f0c3e-8a7b-4c2d-9e6f-0a1b2c3d4e5f';

/** How the agent stops a cancelled task: SIGINT, SIGTERM after this long, then a kill. */
export const CANCEL_GRACE_MS = 7_500;
const KILL_AFTER_TERM_MS = 5_000;

export type TaskResult = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Cancelled';

export interface RunOptions {
  task: TaskName;
  inputs?: Record<string, string>;
  vars?: Record<string, string>;
  /**
   * Secret pipeline variables, as the agent gives them: `SECRET_<NAME>` for the task (never a plain
   * variable), usable in inputs as `$(name)`, and masked as `***` in what `onOutput` receives.
   */
  secretVariables?: Record<string, string>;
  auth?: AuthKind;
  connectionId?: string;
  subscriptionId?: string;
  workdir?: string;
  /** A running simulator to use; otherwise one is started (with `scenario`) for this run. */
  sim?: { info: SimInfo; state(): StateDump | Promise<StateDump> };
  scenario?: Scenario;
  /**
   * Receives the task's output as it comes, line by line, with the secret variables' values masked
   * as the agent masks them in the log.
   */
  onOutput?: (chunk: string) => void;
  /** Cancels the task the agent's way when aborted. */
  signal?: AbortSignal;
  /**
   * Kills the task process outright when aborted: an agent machine lost, or a hosted job's time
   * limit.
   */
  kill?: AbortSignal;
  /** Extra environment for the task process (tests: fault switches). */
  env?: Record<string, string>;
  /** Leaves `Agent.TempDirectory` in place for the caller to inspect (and remove). */
  keepTempDirectory?: boolean;
  /** Runs this file instead of the task's bundle (benchmarks compare the unbundled build). */
  entry?: string;
}

export interface RunResult {
  /** From `##vso[task.complete result=...]`; undefined when the task never reported one. */
  result?: TaskResult;
  message?: string;
  /**
   * Output variables the task set (`##vso[task.setvariable ...;isOutput=true]`), the last value of
   * each.
   */
  outputs: Record<string, string>;
  /**
   * Plain job variables the task set (`isOutput=false`: `$(name)` in the job's later steps), the
   * last value of each.
   */
  variables: Record<string, string>;
  /**
   * What the task wrote, unmasked (tests assert that a secret never reached it; `onOutput` is the
   * masked log).
   */
  stdout: string;
  /**
   * Files left in `Agent.TempDirectory` when the task ended (paths relative to it), read before the
   * runner removes the folder.
   */
  tempFilesLeft: string[];
  /** `Agent.TempDirectory`: removed after the run unless `keepTempDirectory`. */
  tempDirectory: string;
  exitCode: number;
  /** The simulator's state after the task ended. */
  state: StateDump;
  durationMs: number;
}

/**
 * The runner's exit code for a task result: 0 success (with or without issues), 1 failed, 2
 * cancelled.
 */
export function exitCodeFor(result: TaskResult | undefined): number {
  return result === 'Succeeded' || result === 'SucceededWithIssues'
    ? 0
    : result === 'Cancelled'
      ? 2
      : 1;
}

export async function runTask(options: RunOptions): Promise<RunResult> {
  if (!TASKS.includes(options.task))
    throw new Error(`Unknown task '${options.task}': one of ${TASKS.join(', ')}.`);
  const bundle = options.entry ?? path.join(taskDir(options.task), 'index.js');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build.`);
  const sim = options.sim ?? (await startSim(options.scenario));
  try {
    return await runAgainst(sim.info, bundle, options, async () => sim.state());
  } finally {
    if (!options.sim && 'stop' in sim) await (sim as { stop(): Promise<void> }).stop();
  }
}

async function startSim(scenario: Scenario | undefined) {
  const infoFile = process.env.GIP_SIM_INFO;
  if (infoFile) {
    if (scenario)
      throw new Error(
        'A scenario can only be given to a simulator the runner starts (unset GIP_SIM_INFO).',
      );
    const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as SimInfo;
    return { info, state: () => fetchState(info) };
  }
  const { startSimulator } = await import('../../tests/sim');
  return startSimulator({ scenario });
}

/** The state of a simulator in another process, through its admin endpoint. */
function fetchState(info: SimInfo): Promise<StateDump> {
  // Parsed in then(): a malformed body rejects with JSON.parse's SyntaxError.
  return new Promise<string>((resolve, reject) => {
    https
      .get(new URL('_sim/state', info.armUrl), { ca: fs.readFileSync(info.caCertPath) }, (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (d) => {
            body += d;
          })
          .on('end', () => resolve(body));
      })
      .on('error', reject);
  }).then((body) => JSON.parse(body) as StateDump);
}

async function runAgainst(
  info: SimInfo,
  bundle: string,
  o: RunOptions,
  state: () => Promise<StateDump>,
): Promise<RunResult> {
  const started = Date.now();
  const workdir = path.resolve(o.workdir ?? process.cwd());
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-agent-temp-'));
  const env = taskEnvironment(info, o, workdir, tempDir);
  const child = spawn(process.execPath, [bundle], {
    cwd: workdir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const masker = new SecretMasker(Object.values(o.secretVariables ?? {}));
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stdout += text;
    const lines = masker.push(text);
    if (lines) o.onOutput?.(lines);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const stopCancel = o.signal ? cancelOnAbort(child, o.signal) : () => undefined;
  o.kill?.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
  const exitCode = await new Promise<number>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  stopCancel();
  const last = masker.end();
  if (last) o.onOutput?.(last);
  const tempFilesLeft = fs
    .readdirSync(tempDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !fs.statSync(path.join(tempDir, f)).isDirectory());
  if (!o.keepTempDirectory) fs.rmSync(tempDir, { recursive: true, force: true });
  const complete = commandLines(stdout)
    .map((l) => /^##vso\[task\.complete result=([A-Za-z]+);[^\]]*\](.*)/.exec(l))
    .find((m) => m);
  return {
    result: complete?.[1] as TaskResult | undefined,
    message: complete?.[2],
    outputs: setVariables(stdout, true),
    variables: setVariables(stdout, false),
    stdout,
    tempFilesLeft,
    tempDirectory: tempDir,
    exitCode,
    state: await state(),
    durationMs: Date.now() - started,
  };
}

/**
 * Each line's logging command as the agent reads it: from the line's first `##vso[` on (one
 * quoted in a command's message, such as an input value in an error, is no command).
 */
function commandLines(stdout: string): string[] {
  return stdout.split(/\r?\n/).flatMap((line) => {
    const at = line.indexOf('##vso[');
    return at < 0 ? [] : [line.slice(at)];
  });
}

function setVariables(stdout: string, isOutput: boolean): Record<string, string> {
  const vars: Record<string, string> = {};
  const re = new RegExp(
    `^##vso\\[task\\.setvariable variable=([^;\\]]+);isOutput=${isOutput};[^\\]]*\\](.*)`,
  );
  for (const line of commandLines(stdout)) {
    const m = re.exec(line);
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

function taskEnvironment(
  info: SimInfo,
  o: RunOptions,
  workdir: string,
  tempDir: string,
): NodeJS.ProcessEnv {
  const connectionId = o.connectionId ?? DEFAULT_CONNECTION_ID;
  const auth = o.auth ?? 'sp';
  const principal = {
    sp: info.principals.sp,
    'sp-cert': info.principals.spCert,
    wif: info.principals.wif,
    msi: info.principals.msi,
  }[auth];
  // As the server and agent do: aliases renamed to the input's name, task.json defaults under the
  // step's values, filePath inputs rooted against the sources folder (an empty one becomes that
  // folder).
  const definitions = (
    JSON.parse(fs.readFileSync(path.join(taskDir(o.task), 'task.json'), 'utf8')) as {
      inputs: InputDefinition[];
    }
  ).inputs;
  const vars = { ...defaultPipelineVars(workdir, tempDir, info.collectionUri), ...o.vars };
  const secrets = o.secretVariables ?? {};
  // The agent expands `$(name)` macros, secret variables' included, before the task starts.
  const inputs = resolveInputs(definitions, expandMacros(o.inputs ?? {}, { ...vars, ...secrets }));
  // A service-connection input left unset gets the runner's connection.
  for (const input of definitions)
    if (input.type.startsWith('connectedService:AzureRM') && !inputs[input.name])
      inputs[input.name] = connectionId;
  // The connection's subscription: --subscription-id, named as the simulator declares it.
  const subscriptionId = o.subscriptionId ?? info.subscriptionId;
  const declared = info.subscriptions?.find(
    (s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase(),
  );
  rootFilePathInputs(definitions, inputs, vars['Build.SourcesDirectory'] ?? workdir);
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    // The simulator's certificate, trusted the way an agent with a corporate CA is set up.
    NODE_EXTRA_CA_CERTS: info.caCertPath,
    AZURE_POD_IDENTITY_AUTHORITY_HOST: info.msiAuthorityHost,
    SYSTEM_ACCESSTOKEN: info.systemAccessToken,
    SYSTEM_OIDCREQUESTURI: info.oidcRequestUri,
    ENDPOINT_URL_SYSTEMVSSCONNECTION: info.collectionUri,
    ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({
      parameters: { AccessToken: info.systemAccessToken },
      scheme: 'OAuth',
    }),
    ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION: 'OAuth',
    ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: info.systemAccessToken,
    ...variableEnv(vars),
    ...secretEnv(secrets),
    ...inputEnv(inputs),
    ...endpointEnv({
      id: connectionId,
      auth,
      tenantId: info.tenantId,
      clientId: principal.clientId,
      secret: auth === 'sp' ? info.principals.sp.secret : undefined,
      certificatePem: auth === 'sp-cert' ? info.principals.spCert.certificatePem : undefined,
      subscriptionId,
      // A subscription the simulator does not have keeps its id as its name (the tasks then meet
      // SubscriptionNotFound).
      subscriptionName: declared?.displayName ?? subscriptionId,
      armUrl: info.armUrl,
      authorityHost: info.authorityHost,
      microsoftGraphUrl: info.graphUrl,
    }),
    ...o.env,
  };
}

/** The agent's cancellation: SIGINT now, SIGTERM after 7.5 s, a kill 5 s after that. */
function cancelOnAbort(child: ChildProcess, signal: AbortSignal): () => void {
  const timers: NodeJS.Timeout[] = [];
  const cancel = () => {
    child.kill('SIGINT');
    timers.push(setTimeout(() => child.kill('SIGTERM'), CANCEL_GRACE_MS));
    timers.push(setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS + KILL_AFTER_TERM_MS));
  };
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
  return () => {
    signal.removeEventListener('abort', cancel);
    timers.forEach(clearTimeout);
  };
}
