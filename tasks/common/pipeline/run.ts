import * as fs from 'fs';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { AzureContext, createAzureContext } from '../azure/clients';
import { describeArmError } from '../azure/armErrors';
import { CancelledError, InputError } from '../core/errors';
import { InputReader } from '../core/inputReader';
import { Logger } from '../core/logger';
import { TaskOutcome } from '../core/outcome';
import { PipelineInfo } from '../core/pipelineInfo';
import { readServiceConnection } from './connection';
import { pipelineInputs } from './inputs';
import { maskSecrets, PipelineLogger } from './logger';
import { agentNetworkSettings } from './network';
import { pipelineInfo } from './variables';

/**
 * What a task's entry file gets: inputs, a logger, the cancellation signal and the Azure
 * connection.
 */
export interface TaskContext {
  readonly taskName: string;
  readonly inputs: InputReader;
  readonly log: Logger;
  /**
   * Aborted when the agent cancels the job (SIGINT, then SIGTERM about 7.5 s later, then a kill).
   */
  readonly signal: AbortSignal;
  /** Pipeline, run, stage, job and commit of this run. */
  readonly pipeline: PipelineInfo;
  /** Reads the AzureRM service connection input and returns credential + SDK client options. */
  connect(inputName?: string): Promise<AzureContext>;
}

const RESULTS = {
  Succeeded: tl.TaskResult.Succeeded,
  SucceededWithIssues: tl.TaskResult.SucceededWithIssues,
  Failed: tl.TaskResult.Failed,
  Cancelled: tl.TaskResult.Cancelled,
} as const;

/**
 * Runs a task body the way every task of the extension behaves: cancellation wired to the agent's
 * signals, errors turned into one plain message, outputs and summary published.
 */
export function runTask(
  taskName: string,
  body: (ctx: TaskContext) => Promise<TaskOutcome>,
): Promise<void> {
  const log = new PipelineLogger();
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log.warn(
      signal === 'SIGINT'
        ? `${taskName}: the pipeline was cancelled; stopping and cleaning up.`
        : `${taskName}: ${signal} received; the agent will stop this task in a moment.`,
    );
    if (!controller.signal.aborted) controller.abort(new CancelledError());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const ctx: TaskContext = {
    taskName,
    inputs: pipelineInputs(),
    log,
    signal: controller.signal,
    pipeline: pipelineInfo(),
    connect(inputName = 'azureSubscription') {
      const connection = readServiceConnection(inputName);
      return Promise.resolve(
        createAzureContext(connection, agentNetworkSettings(), `${taskName}/${taskVersion()}`),
      );
    },
  };

  return body(ctx)
    .catch((err: unknown): TaskOutcome => {
      if (controller.signal.aborted || err instanceof CancelledError) {
        return { result: 'Cancelled', message: `${taskName} was cancelled.` };
      }
      if (err instanceof InputError) return { result: 'Failed', message: err.message };
      tl.debug(err instanceof Error && err.stack ? err.stack : String(err));
      return { result: 'Failed', message: describeArmError(err) };
    })
    .then((outcome) => {
      log.endGroup();
      publish(taskName, outcome);
    })
    .finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
}

function publish(taskName: string, outcome: TaskOutcome): void {
  const secret = new Set(outcome.secretOutputs ?? []);
  for (const [name, value] of Object.entries(outcome.outputs ?? {})) {
    tl.setVariable(name, value, secret.has(name), true);
  }
  for (const [name, value] of Object.entries(outcome.jobVariables ?? {}))
    tl.setVariable(name, value, false, false);
  const dir = tl.getVariable('Agent.TempDirectory');
  for (const a of outcome.attachments ?? []) {
    if (!dir) break;
    const file = path.join(dir, `${process.pid}-${a.name.replace(/[^A-Za-z0-9._-]+/g, '_')}`);
    // Attachments and the summary are uploaded as written: the agent masks only the log.
    fs.writeFileSync(file, maskSecrets(a.content));
    tl.addAttachment(a.type, a.name, file);
  }
  if (outcome.summary) {
    if (dir) {
      const file = path.join(dir, `${taskName}-${process.pid}-summary.md`);
      fs.writeFileSync(file, maskSecrets(outcome.summary));
      tl.uploadSummary(file);
    }
  }
  tl.setResult(RESULTS[outcome.result], outcome.message, true);
}

/**
 * The version in task.json beside the running bundle, for the user agent; `dev` when run unbundled.
 */
function taskVersion(): string {
  try {
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, 'task.json'), 'utf8')) as {
      version: { Major: number; Minor: number; Patch: number };
    };
    return `${version.Major}.${version.Minor}.${version.Patch}`;
  } catch {
    return 'dev';
  }
}
