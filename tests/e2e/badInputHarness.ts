// The bad-input catalogue's machinery: a task run in-process (its entry's steps: inputs, providers,
// core, with run.ts's error handling) or through the runner, and what a run wrote in Azure.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeArmError } from '../../tasks/common/azure/armErrors';
import { requireProviders } from '../../tasks/common/azure/providers';
import { InputError } from '../../tasks/common/core/errors';
import { InputReader } from '../../tasks/common/core/inputReader';
import { MemoryLogger } from '../../tasks/common/core/logger';
import { TaskOutcome } from '../../tasks/common/core/outcome';
import { PipelineInfo } from '../../tasks/common/core/pipelineInfo';
import { attachGalleryToDevCenter } from '../../tasks/common/devcenter/attachGallery';
import { ATTACH_PROVIDERS, readAttachParams } from '../../tasks/common/devcenter/params';
import { distributeToGallery } from '../../tasks/common/gallery/distribute';
import { DISTRIBUTE_PROVIDERS, readDistributeParams } from '../../tasks/common/gallery/params';
import {
  readUpdateHostPoolParams,
  UPDATE_HOST_POOL_PROVIDERS,
} from '../../tasks/common/hostpool/params';
import { toTaskOutcome } from '../../tasks/common/hostpool/result';
import { updateHostPool } from '../../tasks/common/hostpool/updateHostPool';
import { buildImage } from '../../tasks/common/imagebuilder/buildImage';
import {
  BUILD_IMAGE_PROVIDERS,
  readTaskParams,
} from '../../tasks/common/imagebuilder/inputs/params';
import { runTask, RunResult } from '../../scripts/runner/runner';
import { ROOT } from '../../scripts/tasks';
import type { TaskName } from '../../scripts/tasks';
import type { RecordedRequest, RunningSim, StateDump } from '../sim';
import { PIPELINE } from '../support/pipelineInfo';
import { simAzureContext } from './simConnection';

/** The resource providers each task's entry requires (tasks/<Task>/index.ts). */
const PROVIDERS: Record<TaskName, string[]> = {
  BuildImage: BUILD_IMAGE_PROVIDERS,
  DistributeToGallery: DISTRIBUTE_PROVIDERS,
  UpdateHostPool: UPDATE_HOST_POOL_PROVIDERS,
  AttachGalleryToDevCenter: ATTACH_PROVIDERS,
};

/**
 * POSTs that change nothing: a storage account's keys, whether a name is free, a list action.
 * Every other POST (an action: run, cancel, sendMessage, ...) counts as a write.
 */
export const READ_ONLY_POSTS =
  /\/(listKeys|listAccountSas|listServiceSas|checkNameAvailability|list[A-Za-z]*)(\?|$)/i;

/**
 * Every request that changes, or tried to change, something: any PUT, PATCH, DELETE, or POST
 * other than READ_ONLY_POSTS, whatever its answer (a refused write was still attempted).
 */
export function writesIn(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter(
    (q) =>
      !['GET', 'HEAD'].includes(q.method) && !(q.method === 'POST' && READ_ONLY_POSTS.test(q.path)),
  );
}

/** What a run ended with: result, its message, and every line the core logged. */
export interface Outcome {
  result: string;
  message: string;
  /** The core's log, as MemoryLogger records it (`warning: `, `error: `, `group: ` prefixes). */
  log: string[];
  /** The lines it printed with `info` and `group`: console.log, uninterpreted by task-lib. */
  plain: string[];
}

/**
 * Runs `task` in this process as its entry does (inputs read first, then the providers, then the
 * core), with the service connection's principal against `sim`; errors become the message run.ts
 * would publish. Inputs are read as task-lib gives them: trimmed, '' as unset.
 */
export async function runInProcess(
  task: TaskName,
  values: Record<string, string>,
  sim: RunningSim,
  pipeline: PipelineInfo,
): Promise<Outcome> {
  const log = new PlainRecordingLogger();
  const given = { ...taskDefaults(task), ...values };
  const inputs = new InputReader({
    get: (name) => given[name]?.trim() || undefined,
    secret: (value) => log.secret(value),
  });
  const signal = new AbortController().signal;
  const outcome = await (async (): Promise<TaskOutcome> => {
    const azure = simAzureContext(sim.info);
    switch (task) {
      case 'BuildImage': {
        const params = readTaskParams(inputs, pipeline);
        const register = inputs.bool('registerProviders');
        await requireProviders(azure, PROVIDERS[task], log, signal, register);
        return buildImage({ azure, params, log, signal, pipeline });
      }
      case 'DistributeToGallery': {
        const params = readDistributeParams(inputs, pipeline);
        await requireProviders(azure, PROVIDERS[task], log, signal);
        return distributeToGallery(azure, params, log, signal, pipeline);
      }
      case 'UpdateHostPool': {
        const params = readUpdateHostPoolParams(inputs);
        await requireProviders(azure, PROVIDERS[task], log, signal);
        return toTaskOutcome(await updateHostPool({ azure, params, log, signal, pipeline }));
      }
      case 'AttachGalleryToDevCenter': {
        const params = readAttachParams(inputs);
        await requireProviders(azure, PROVIDERS[task], log, signal);
        return attachGalleryToDevCenter({ azure, params, log, signal, pipeline });
      }
    }
  })().catch((err: unknown): TaskOutcome => ({
    result: 'Failed',
    message: err instanceof InputError ? err.message : describeArmError(err),
  }));
  return { result: outcome.result, message: outcome.message, log: log.lines, plain: log.plain };
}

/** The inputs task.json gives a default, at it: the agent sends every input so. */
function taskDefaults(task: TaskName): Record<string, string> {
  const { inputs } = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'tasks', task, 'task.json'), 'utf8'),
  ) as { inputs: { name: string; defaultValue?: string }[] };
  return Object.fromEntries(
    inputs.filter((i) => i.defaultValue).map((i) => [i.name, i.defaultValue as string]),
  );
}

/** MemoryLogger that also keeps what would reach stdout as plain text. */
class PlainRecordingLogger extends MemoryLogger {
  readonly plain: string[] = [];
  info(m: string): void {
    super.info(m);
    this.plain.push(m);
  }
  group(t: string): void {
    super.group(t);
    this.plain.push(`##[group]${t}`);
  }
}

/** The task through the runner (its bundle in a child process, as the agent runs it). */
export function runThroughRunner(
  task: TaskName,
  inputs: Record<string, string>,
  sim: RunningSim,
  workdir: string,
): Promise<RunResult> {
  return runTask({ task, sim, inputs, workdir });
}

/** A sources folder of a pipeline run: the working directory its filePath inputs are under. */
export function sourcesFolder(): { dir: string; pipeline: PipelineInfo; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-badinput-'));
  return {
    dir,
    pipeline: { ...PIPELINE, defaultWorkingDirectory: dir },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Lines of a task's stdout that the agent would read as a logging command other than the one the
 * line starts with: `##vso[` anywhere but at its start (the agent looks for it anywhere in a line
 * and takes the first), or a line that starts with one of the payloads the test injected.
 */
export function injectedCommands(stdout: string, payloads: string[]): string[] {
  return stdout
    .split(/\r?\n/)
    .filter(
      (line) => line.indexOf('##vso[') > 0 || payloads.some((p) => line.startsWith(p.trim())),
    );
}

/** The requests of `state` from number `from` on. */
export const requestsSince = (state: StateDump, from: number) => state.requests.slice(from);

/** The problems of a case's in-process outcome; [] when it failed as a bad input must. */
export function inProcessProblems(
  c: { input: string; right: string | RegExp },
  out: Outcome,
  writes: RecordedRequest[],
): string[] {
  const problems = messageProblems(c, out.result, out.message);
  const errors = out.log.filter((l) => l.startsWith('error: '));
  if (errors.length) problems.push(`errors logged besides the result: ${errors.join(' | ')}`);
  const plain = out.plain.flatMap((l) => l.split(/\r?\n/).map((s, i) => ({ s, i })));
  const injected = plain.filter(
    ({ s, i }) => s.includes('##vso[') || (i > 0 && s.startsWith('##')),
  );
  if (injected.length)
    problems.push(`a logging command in plain output: ${injected.map((x) => x.s).join(' | ')}`);
  if (writes.length) problems.push(`writes: ${describeRequests(writes)}`);
  return problems;
}

/** The problems of a case's run through the runner; [] when it failed as a bad input must. */
export function runnerProblems(
  c: { input: string; right: string | RegExp },
  r: RunResult,
  writes: RecordedRequest[],
  payloads: string[],
): string[] {
  const problems = messageProblems(c, r.result ?? 'none', r.message ?? '');
  const errors = r.stdout.split(/\r?\n/).filter((l) => l.startsWith('##vso[task.issue type=error'));
  if (errors.length !== 1) problems.push(`${errors.length} error lines: ${errors.join(' | ')}`);
  else if (!mentions(errors[0], c.input))
    problems.push(`the error line does not name '${c.input}': ${errors[0]}`);
  const injected = injectedCommands(r.stdout, payloads);
  if (injected.length) problems.push(`injected logging commands: ${injected.join(' | ')}`);
  if (writes.length) problems.push(`writes: ${describeRequests(writes)}`);
  return problems;
}

function messageProblems(
  c: { input: string; right: string | RegExp },
  result: string,
  message: string,
): string[] {
  const problems: string[] = [];
  if (result !== 'Failed') problems.push(`result ${result}, not Failed`);
  if (!mentions(message, c.input)) problems.push(`the message does not name '${c.input}'`);
  const right = typeof c.right === 'string' ? message.includes(c.right) : c.right.test(message);
  if (!right) problems.push(`the message does not say ${String(c.right)}`);
  if (problems.length) problems.push(`message: ${message}`);
  return problems;
}

/** Whether `text` names the input `name` as a word of its own. */
const mentions = (text: string, name: string) =>
  new RegExp(`(^|[^A-Za-z0-9])${name}([^A-Za-z0-9]|$)`).test(text);

const describeRequests = (qs: RecordedRequest[]) =>
  qs.map((q) => `${q.method} ${q.path.split('?')[0]} ${q.status}`).join(', ');
