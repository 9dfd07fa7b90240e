/**
 * `wait`: a build `start` began, maybe in another job: follow it from where it is and finish it as
 * `build` does, then delete its uploads.
 */
import { getOrUndefined } from '../../azure/notFound';
import { InputError } from '../../core/errors';
import { buildClients } from '../clients';
import { sourceOfTemplate } from '../inputs/sourceResolution';
import { FollowParams, followAndFinish } from '../run/finish';
import { BuildResult } from '../run/outcome';
import { describeCustomizer } from '../template/customizers';
import { blobsOf, dropBuildBlobs } from '../uploads/blobsInUse';
import { ActionContext } from './action';

export interface WaitOptions extends ActionContext {
  /** Where the template is, whether to keep it, how often to poll. */
  params: FollowParams;
  /** The template: the templateName input, or the one this job's inputs name. */
  name: string;
  /** Keep the build-artifacts archive and uploaded files once the build has ended. */
  keepArtifacts: boolean;
}

export async function wait(o: WaitOptions): Promise<BuildResult> {
  const { azure, params, name, log, signal } = o;
  const started = Date.now();
  const clients = buildClients(azure);
  const t = await getOrUndefined(() =>
    clients.aib.virtualMachineImageTemplates.get(params.resourceGroup, name, {
      abortSignal: signal,
    }),
  );
  if (!t) {
    throw new InputError(
      'templateName',
      `there is no image template '${name}' in ${params.resourceGroup} (it may have been ` +
        `deleted already)`,
      'the templateName output of the start step',
    );
  }
  const customizers = ((t.customize ?? []) as unknown as Record<string, unknown>[]).map(
    describeCustomizer,
  );
  log.info(
    `Following the build of template ${name} ` +
      `(${String(t.lastRunStatus?.runState ?? 'not started')}` +
      `${t.lastRunStatus?.runSubState ? `, ${t.lastRunStatus.runSubState}` : ''}).`,
  );
  try {
    return await followAndFinish({
      ...o,
      clients,
      source: sourceOfTemplate(t),
      customizers,
      started,
    });
  } finally {
    if (!o.keepArtifacts)
      await dropBuildBlobs({
        ...o,
        clients,
        resourceGroup: params.resourceGroup,
        template: name,
        urls: blobsOf(t),
      });
  }
}
