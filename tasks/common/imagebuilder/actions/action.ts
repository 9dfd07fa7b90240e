/**
 * What every action of BuildImage is given and what it returns: the task's outcome with the
 * action's own output variables.
 */
import { AzureContext } from '../../azure/clients';
import { Logger } from '../../core/logger';
import { TaskResultKind } from '../../core/outcome';
import { PipelineInfo } from '../../core/pipelineInfo';
import { BuildParams } from '../inputs/params';

export interface ActionContext {
  /** The service connection: credential, subscription and SDK client options. */
  azure: AzureContext;
  /** The pipeline log. */
  log: Logger;
  /** Aborted when the agent cancels the job. */
  signal: AbortSignal;
}

/** What the actions that compose the template from the inputs are given: build, start, validate. */
export interface BuildOptions extends ActionContext {
  /** The build's parameters, read and checked from the task's inputs. */
  params: BuildParams;
  /** The pipeline, run, stage and job: the template's name and its provenance tags. */
  pipeline: PipelineInfo;
}

export interface ActionResult<Outputs> {
  /** The task's result. */
  result: TaskResultKind;
  /** What was done (or why not), in one line: the task result's message. */
  message: string;
  /** The output variables the action sets. */
  outputs: Outputs;
}
