/**
 * Starts the build of a prepared template once per job. The template's name carries the job and
 * the content, so what is found under it is this job's: a build that succeeded before (its
 * template deleted) is reported and not built again, one that is running is followed instead of
 * starting a second, a failed one is deleted and created again.
 */
import { getOrUndefined } from '../../azure/notFound';
import { CancelledError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { poll } from '../../core/poll';
import type { Prepared } from '../actions/prepare';
import { BuildClients, lroInterval } from '../clients';
import { BuildParams } from '../inputs/params';
import { toSdkTemplate } from '../template/compose';
import { cancelBuild } from './cancelBuild';
import { findEarlierResult } from './earlierResult';
import { buildReport, BuildResult, outcomeOf } from './outcome';

export interface LaunchOptions {
  clients: BuildClients;
  params: Pick<BuildParams, 'resourceGroup' | 'pollIntervalMs'>;
  /** The template to build, composed and named (actions/prepare.ts). */
  prepared: Prepared;
  /** When the action started (Date.now()): a build found made earlier reports its duration. */
  started: number;
  log: Logger;
  signal: AbortSignal;
}

/** Where the build stands once launched. */
export type Launched =
  | {
      /** This job's build succeeded earlier: its outcome, nothing built again. */
      earlier: BuildResult;
    }
  | {
      /** Running; or how a run this job started earlier has ended (attached to, not run again). */
      runState: string;
    };

export async function launch(o: LaunchOptions): Promise<Launched> {
  const { clients, log, signal } = o;
  const rg = o.params.resourceGroup;
  const { name, doc, artifacts } = o.prepared;
  const t = clients.aib.virtualMachineImageTemplates;
  let existing = await getOrUndefined(() => t.get(rg, name, { abortSignal: signal }));
  if (!existing) {
    const earlier = await findEarlierResult(clients, doc, name, signal);
    if (earlier) {
      log.info(`This job's build already succeeded: ${earlier.describe}. Nothing is built again.`);
      const r = buildReport({ ...o.prepared, started: o.started }, 'Succeeded', {
        runOutputs: earlier.runOutputs,
        reused: `Made earlier by this job (template ${name}); found by its provenance tags.`,
      });
      return {
        earlier: outcomeOf(r, `The image was built earlier by this job: ${earlier.describe}.`),
      };
    }
  }
  const runState = String(existing?.lastRunStatus?.runState ?? '');
  const interval = lroInterval(o.params.pollIntervalMs);
  if (
    existing &&
    (existing.provisioningState === 'Failed' || ['Failed', 'Canceled'].includes(runState))
  ) {
    log.info(
      `Template ${name} is left from an earlier attempt whose build ` +
        `${runState ? runState.toLowerCase() : 'failed to provision'}; deleting it to build ` +
        `again.`,
    );
    await t.delete(rg, name, { abortSignal: signal, updateIntervalInMs: interval });
    existing = undefined;
  }
  const attach = !!existing && ['Running', 'Canceling'].includes(runState);
  const finishedEarlier = !!existing && ['Succeeded', 'PartiallySucceeded'].includes(runState);
  if (attach) {
    log.info(
      `Template ${name} is already building (an earlier attempt of this job started it): ` +
        `following that build instead of starting another.`,
    );
  } else if (!finishedEarlier) {
    try {
      if (!existing) {
        log.info(`Creating image template ${name} in ${rg}...`);
        const sent = artifacts ? await artifacts.withSecret(doc) : doc;
        await t
          .createOrUpdate(rg, name, toSdkTemplate(sent), {
            abortSignal: signal,
            updateIntervalInMs: interval,
          })
          .catch((err: unknown) => ifDoneBefore(err, o, (x) => !!x?.provisioningState));
      }
      log.info(`Starting the build of ${name}...`);
      await t
        .run(rg, name, { abortSignal: signal })
        .submitted()
        .catch((err: unknown) => ifDoneBefore(err, o, (x) => !!x?.lastRunStatus?.runState));
    } catch (err) {
      // Cancelled while the template is created or its run starts: what Azure has of it is
      // cancelled and deleted (or tagged for cleanup) as a cancel while building is.
      if (!signal.aborted) throw err;
      await cancelBuild({ clients, resourceGroup: rg, name, keepTemplate: false, log });
      throw new CancelledError();
    }
  }
  return { runState: finishedEarlier ? runState : 'Running' };
}

type Template = Awaited<ReturnType<BuildClients['aib']['virtualMachineImageTemplates']['get']>>;

/**
 * A Conflict on the create or the run, when the call it retried was carried out and only its
 * answer lost (a dropped connection): the template's name holds the job and the content, so a
 * template found under it that `started` shows the call took effect is this one's. Waits for its
 * provisioning to end; any other Conflict is raised as it came.
 */
async function ifDoneBefore(
  err: unknown,
  o: LaunchOptions,
  started: (t: Template | undefined) => boolean,
): Promise<void> {
  if ((err as { statusCode?: number }).statusCode !== 409) throw err;
  const { clients, signal } = o;
  const read = () =>
    getOrUndefined(() =>
      clients.aib.virtualMachineImageTemplates.get(o.params.resourceGroup, o.prepared.name, {
        abortSignal: signal,
      }),
    );
  const { value } = await poll({
    read,
    done: (x) => !['Creating', 'Updating'].includes(String(x?.provisioningState)),
    intervalMs: o.params.pollIntervalMs,
    signal,
  });
  if (!started(value) || value?.provisioningState !== 'Succeeded') throw err;
  o.log.info(
    `Template ${o.prepared.name}: a retried call met its own earlier success (its answer was ` +
      `lost on the way); going on.`,
  );
}
