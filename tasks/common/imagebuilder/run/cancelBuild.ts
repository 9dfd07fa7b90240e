/**
 * Cancellation within the agent's window: SIGINT, then SIGTERM about 7.5 s later, then a kill.
 * AIB's cancel is sent at once; when the run reaches Canceled in time the template is deleted,
 * otherwise it is tagged so `action: cleanup` (or the next run) can remove it.
 */
import { errorMessage } from '../../core/errors';
import { Logger } from '../../core/logger';
import { BuildClients } from '../clients';
import { poll } from '../../core/poll';
import { TERMINAL } from '../livelog/follow';
import { CLEANUP_TAG } from '../template/compose';

/** How long cancelling may take in all, leaving the agent's SIGTERM and the exit some room. */
const CANCEL_BUDGET_MS = 6_500;

export interface CancelBuildOptions {
  clients: BuildClients;
  /** Where the template is. */
  resourceGroup: string;
  /** The template whose run is cancelled. */
  name: string;
  /** Keep the template once its run is cancelled (it is deleted otherwise). */
  keepTemplate: boolean;
  log: Logger;
  /** How long cancelling may take in all; by default what the agent's SIGTERM leaves. */
  budgetMs?: number;
}

export async function cancelBuild(o: CancelBuildOptions): Promise<void> {
  const { clients, resourceGroup, name, log, budgetMs = CANCEL_BUDGET_MS } = o;
  const deadline = Date.now() + budgetMs;
  const signal = AbortSignal.timeout(budgetMs);
  const t = clients.aib.virtualMachineImageTemplates;
  const left = () => deadline - Date.now();
  let canceled = false;
  try {
    log.info(`Cancelling the Image Builder run of template ${name}...`);
    await t
      .cancel(resourceGroup, name, { abortSignal: signal })
      .submitted()
      .catch((err) => {
        // Nothing to cancel (the run ended meanwhile) is fine: the template is removed below all
        // the same.
        if ((err as { statusCode?: number }).statusCode !== 409) throw err;
      });
    ({ done: canceled } = await poll({
      read: async () =>
        String(
          (await t.get(resourceGroup, name, { abortSignal: signal })).lastRunStatus?.runState ?? '',
        ),
      // '': the template never ran (cancelled while it was created).
      done: (state) => state === '' || TERMINAL.includes(state),
      intervalMs: 500,
      timeoutMs: Math.max(0, left() - 1_500),
      signal,
    }));
    log.info(
      canceled ? 'The Image Builder run is cancelled.' : 'The Image Builder run is still stopping.',
    );
    if (o.keepTemplate) return;
    if (canceled) {
      await t.delete(resourceGroup, name, { abortSignal: signal, updateIntervalInMs: 250 });
      log.info(`Deleted image template ${name}.`);
      return;
    }
  } catch (err) {
    log.warn(
      `Cancelling template ${name} did not finish in time: ${errorMessage(err).split('\n')[0]}`,
    );
  }
  await tagForCleanup(o);
}

async function tagForCleanup(o: CancelBuildOptions): Promise<void> {
  const { clients, resourceGroup, name, log } = o;
  const signal = AbortSignal.timeout(3_000);
  try {
    const current = await clients.aib.virtualMachineImageTemplates.get(resourceGroup, name, {
      abortSignal: signal,
    });
    await clients.aib.virtualMachineImageTemplates
      .update(
        resourceGroup,
        name,
        { tags: { ...current.tags, [CLEANUP_TAG]: `cancelled ${new Date().toISOString()}` } },
        { abortSignal: signal },
      )
      .submitted();
    log.warn(
      `Image template ${name} in ${resourceGroup} is left behind, tagged ${CLEANUP_TAG}; ` +
        `delete it with: az image builder delete -g ${resourceGroup} -n ${name}`,
    );
  } catch (err) {
    log.warn(
      `Image template ${name} in ${resourceGroup} is left behind (tagging it failed: ` +
        `${errorMessage(err).split('\n')[0]}); delete it with: az image builder delete -g ` +
        `${resourceGroup} -n ${name}`,
    );
  }
}
