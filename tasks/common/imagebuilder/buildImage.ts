/**
 * BuildImage's core: one action per run of the task, each in a file of its own under actions/ —
 * build (the default), start and wait (one build across two jobs), validate, cancel and cleanup.
 * This picks the one the parameters ask for; `wait` and `cancel` without a templateName act on the
 * template this job's inputs name, as `build` and `start` name it.
 */
import { PipelineInfo } from '../core/pipelineInfo';
import { ActionContext } from './actions/action';
import { build } from './actions/build';
import { cancel, CancelResult } from './actions/cancel';
import { cleanup, CleanupResult } from './actions/cleanup';
import { nameFromInputs } from './actions/prepare';
import { start, StartResult } from './actions/start';
import { validate, ValidateResult } from './actions/validate';
import { wait } from './actions/wait';
import { buildClients } from './clients';
import { isCleanup, isNamedTemplate, TaskParams } from './inputs/params';
import { BuildResult } from './run/outcome';

export interface BuildImageOptions extends ActionContext {
  /** The task's parameters, read and checked from its inputs (inputs/params.ts). */
  params: TaskParams;
  /** The pipeline, run, stage and job: the template's name, provenance tags, whose leftovers. */
  pipeline: PipelineInfo;
}

/** What the action returns: the task's outcome with the action's output variables. */
export type BuildImageResult =
  BuildResult | StartResult | ValidateResult | CancelResult | CleanupResult;

export async function buildImage(o: BuildImageOptions): Promise<BuildImageResult> {
  const { params } = o;
  if (isCleanup(params)) return cleanup({ ...o, resourceGroup: params.resourceGroup });
  if (isNamedTemplate(params)) {
    const named = { ...o, params, name: params.templateName, keepArtifacts: params.keepArtifacts };
    return params.action === 'wait' ? wait(named) : cancel(named);
  }
  switch (params.action) {
    case 'build':
      return build({ ...o, params });
    case 'start':
      return start({ ...o, params });
    case 'validate':
      return validate({ ...o, params });
    case 'wait':
    case 'cancel': {
      const name = await nameFromInputs({ ...o, params, clients: buildClients(o.azure) });
      const named = { ...o, params, name, keepArtifacts: params.customize.uploads.keep };
      return params.action === 'wait' ? wait(named) : cancel(named);
    }
  }
}
