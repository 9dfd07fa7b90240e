/**
 * `cancel`: cancel the run of the named (or this job's) template, wait for Canceled, delete the
 * template and its uploads. A step of its own has the job's time, not the agent's 7 s.
 */
import { getOrUndefined } from '../../azure/notFound';
import { buildClients } from '../clients';
import { TERMINAL } from '../livelog/follow';
import { cancelBuild } from '../run/cancelBuild';
import { FollowParams } from '../run/finish';
import { CLEANUP_TAG } from '../template/compose';
import { blobsOf, dropBuildBlobs } from '../uploads/blobsInUse';
import { ActionContext, ActionResult } from './action';

/** How long to wait for Canceled: the job's time, not the agent's window after SIGINT. */
const CANCEL_WAIT_MS = 30 * 60_000;

/** No signal: once asked to cancel, the cancel is carried through. */
export interface CancelOptions extends Omit<ActionContext, 'signal'> {
  /** Where the template is and whether to keep it once cancelled. */
  params: Pick<FollowParams, 'resourceGroup' | 'keepTemplate'>;
  /** The template: the templateName input, or the one this job's inputs name. */
  name: string;
  /** Keep the build-artifacts archive and uploaded files. */
  keepArtifacts: boolean;
}

export type CancelOutputs = {
  /** The template cancelled. */
  templateName: string;
  /** How its run ended (Canceled, or the state it had reached); unset when there was none. */
  runState?: string;
};

/** Succeeded when the run ended (or there was none), Failed when it did not stop in time. */
export type CancelResult = ActionResult<CancelOutputs>;

export async function cancel(o: CancelOptions): Promise<CancelResult> {
  const { azure, params, name, log } = o;
  const clients = buildClients(azure);
  const rg = params.resourceGroup;
  const t = await getOrUndefined(() => clients.aib.virtualMachineImageTemplates.get(rg, name));
  if (!t) {
    log.warn(`There is no image template '${name}' in ${rg}: nothing to cancel.`);
    return {
      result: 'Succeeded',
      message: `Nothing to cancel: template ${name} does not exist.`,
      outputs: { templateName: name },
    };
  }
  await cancelBuild({
    clients,
    resourceGroup: rg,
    name,
    keepTemplate: params.keepTemplate,
    log,
    budgetMs: CANCEL_WAIT_MS,
  });
  const after = await getOrUndefined(() => clients.aib.virtualMachineImageTemplates.get(rg, name));
  const state = String(after?.lastRunStatus?.runState ?? 'Canceled');
  if (!o.keepArtifacts)
    await dropBuildBlobs({ ...o, clients, resourceGroup: rg, template: name, urls: blobsOf(t) });
  const done = after ? params.keepTemplate && TERMINAL.includes(state) : true;
  return {
    result: done ? 'Succeeded' : 'Failed',
    message: done
      ? `The build of template ${name} ended ` +
        `(${state})${after ? '; the template is kept' : ' and the template is deleted'}.`
      : `The build of template ${name} did not stop in time (${state}); it is tagged ` +
        `${CLEANUP_TAG}.`,
    outputs: { templateName: name, runState: state },
  };
}
