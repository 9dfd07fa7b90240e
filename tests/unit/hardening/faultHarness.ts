// The fault matrix's in-process runner: a task's entry as tasks/<Task>/index.ts runs it (inputs
// with task.json's defaults, the provider pre-flight, the core, errors mapped as the pipeline
// layer maps them), with our own client stack against the simulator and retry delays shortened.
import * as fs from 'fs';
import * as path from 'path';
import { requireProviders } from '../../../tasks/common/azure/providers';
import { describeArmError } from '../../../tasks/common/azure/armErrors';
import type { RetrySettings } from '../../../tasks/common/azure/clients';
import { attachGalleryToDevCenter } from '../../../tasks/common/devcenter/attachGallery';
import { ATTACH_PROVIDERS, readAttachParams } from '../../../tasks/common/devcenter/params';
import { CancelledError, InputError } from '../../../tasks/common/core/errors';
import { InputReader } from '../../../tasks/common/core/inputReader';
import { MemoryLogger } from '../../../tasks/common/core/logger';
import type { TaskOutcome } from '../../../tasks/common/core/outcome';
import type { PipelineInfo } from '../../../tasks/common/core/pipelineInfo';
import { distributeToGallery } from '../../../tasks/common/gallery/distribute';
import { DISTRIBUTE_PROVIDERS, readDistributeParams } from '../../../tasks/common/gallery/params';
import {
  readUpdateHostPoolParams,
  UPDATE_HOST_POOL_PROVIDERS,
} from '../../../tasks/common/hostpool/params';
import { toTaskOutcome } from '../../../tasks/common/hostpool/result';
import { updateHostPool } from '../../../tasks/common/hostpool/updateHostPool';
import { buildImage } from '../../../tasks/common/imagebuilder/buildImage';
import {
  BUILD_IMAGE_PROVIDERS,
  readTaskParams,
} from '../../../tasks/common/imagebuilder/inputs/params';
import { simAzureContext } from '../../e2e/simConnection';
import type { TaskName } from '../../../scripts/tasks';
import type { RunningSim } from '../../sim';
import { PIPELINE } from '../../support/pipelineInfo';

/** Short delays so a retried call costs milliseconds; Retry-After from the service still wins. */
export const FAST_RETRY: RetrySettings = {
  maxRetries: 3,
  retryDelayInMs: 50,
  maxRetryDelayInMs: 400,
};

export interface CoreRun {
  outcome: TaskOutcome;
  log: MemoryLogger;
  ms: number;
}

/** task.json's default values, as the agent gives an input the pipeline leaves unset. */
function taskDefaults(task: TaskName): Record<string, string> {
  const file = path.join(__dirname, '..', '..', '..', '..', 'tasks', task, 'task.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    inputs: { name: string; defaultValue?: string }[];
  };
  const out: Record<string, string> = {};
  for (const i of json.inputs) if (i.defaultValue) out[i.name] = i.defaultValue;
  return out;
}

/** Runs `task` as its entry file does, in this process, against `sim`. */
export async function runCore(
  task: TaskName,
  sim: RunningSim,
  given: Record<string, string>,
  o: { pipeline?: PipelineInfo; signal?: AbortSignal; retry?: RetrySettings } = {},
): Promise<CoreRun> {
  const values = { ...taskDefaults(task), ...given };
  const inputs = new InputReader({ get: (n) => values[n] || undefined, secret: () => undefined });
  const pipeline = o.pipeline ?? { ...PIPELINE, jobId: 'job-1' };
  const signal = o.signal ?? new AbortController().signal;
  const log = new MemoryLogger();
  const started = Date.now();
  const outcome = await entry(
    task,
    inputs,
    pipeline,
    signal,
    log,
    sim,
    o.retry ?? FAST_RETRY,
  ).catch((err: unknown): TaskOutcome => {
    if (signal.aborted || err instanceof CancelledError)
      return { result: 'Cancelled', message: `${task} was cancelled.` };
    if (err instanceof InputError) return { result: 'Failed', message: err.message };
    log.debug(err instanceof Error && err.stack ? err.stack : String(err));
    return { result: 'Failed', message: describeArmError(err) };
  });
  return { outcome, log, ms: Date.now() - started };
}

async function entry(
  task: TaskName,
  inputs: InputReader,
  pipeline: PipelineInfo,
  signal: AbortSignal,
  log: MemoryLogger,
  sim: RunningSim,
  retry: RetrySettings,
): Promise<TaskOutcome> {
  switch (task) {
    case 'BuildImage': {
      const params = readTaskParams(inputs, pipeline);
      const azure = simAzureContext(sim.info, retry);
      await requireProviders(
        azure,
        BUILD_IMAGE_PROVIDERS,
        log,
        signal,
        inputs.bool('registerProviders'),
      );
      return buildImage({ azure, params, log, signal, pipeline });
    }
    case 'DistributeToGallery': {
      const params = readDistributeParams(inputs, pipeline);
      const azure = simAzureContext(sim.info, retry);
      await requireProviders(azure, DISTRIBUTE_PROVIDERS, log, signal);
      return distributeToGallery(azure, params, log, signal, pipeline);
    }
    case 'UpdateHostPool': {
      const params = readUpdateHostPoolParams(inputs);
      const azure = simAzureContext(sim.info, retry);
      await requireProviders(azure, UPDATE_HOST_POOL_PROVIDERS, log, signal);
      return toTaskOutcome(await updateHostPool({ azure, params, log, signal, pipeline }));
    }
    case 'AttachGalleryToDevCenter': {
      const params = readAttachParams(inputs);
      const azure = simAzureContext(sim.info, retry);
      await requireProviders(azure, ATTACH_PROVIDERS, log, signal);
      return attachGalleryToDevCenter({ azure, params, log, signal, pipeline });
    }
  }
}
