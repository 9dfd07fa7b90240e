/**
 * `build`, the default: prepare the template (prepare.ts), start its build once per job
 * (run/launch.ts), follow it with its log live and finish it (run/finish.ts). A build refused
 * while the identity's new role assignments propagate is started again (run/propagation.ts). The
 * uploads are deleted when it ends, unless kept or another template still uses them.
 *
 * With uploads (packagePath, local files) the template is first prepared dry, as validate does:
 * its name and URLs are the same, so a rerun whose build succeeded, or is still running, is found
 * before anything is uploaded again.
 */
import { getOrUndefined } from '../../azure/notFound';
import { sleep } from '../../core/clock';
import { DeferredLogger } from '../../core/deferredLogger';
import { BuildClients, buildClients } from '../clients';
import { findEarlierResult } from '../run/earlierResult';
import { followAndFinish } from '../run/finish';
import { launch } from '../run/launch';
import { BuildResult } from '../run/outcome';
import { propagatingGrantAge } from '../run/propagation';
import { dropBuildBlobs } from '../uploads/blobsInUse';
import { BuildOptions } from './action';
import { prepare, Prepared } from './prepare';

export async function build(o: BuildOptions): Promise<BuildResult> {
  const { params, log, signal } = o;
  const started = Date.now();
  const clients = buildClients(o.azure);
  const p = (await builtOrBuilding(o, clients)) ?? (await prepare({ ...o, clients }));
  try {
    for (;;) {
      const launched = await launch({ ...o, clients, prepared: p, started });
      if ('earlier' in launched) return launched.earlier;
      const result = await followAndFinish({ ...o, ...p, clients, started });
      const age =
        result.result === 'Failed' && p.principalId
          ? await propagatingGrantAge({
              azure: o.azure,
              principalId: p.principalId,
              message: result.message,
              now: Date.now(),
              log,
              signal,
            })
          : undefined;
      if (age === undefined) return result;
      // Building again costs a minute or two; waiting for the role is the only way on.
      const retryMs = 2 * params.pollIntervalMs;
      log.warn(
        `The build was refused access, and the identity's role assignments made ` +
          `${Math.round(age / 1000)} s ago may not be in effect yet (Azure takes up to 10 ` +
          `minutes): building again in ${Math.round(retryMs / 1000)} s.`,
      );
      await sleep(retryMs, signal);
    }
  } finally {
    if (!params.customize.uploads.keep)
      await dropBuildBlobs({
        ...o,
        clients,
        resourceGroup: params.resourceGroup,
        template: p.name,
        urls: { archive: p.artifacts?.url, files: p.files },
      });
  }
}

/**
 * The template prepared dry (nothing written, nothing uploaded), when this job's build of it
 * already succeeded or is running: then nothing needs uploading. Its log is printed only then. A
 * dry pass that fails says nothing: the real one refuses, or builds, as it would have.
 */
async function builtOrBuilding(
  o: BuildOptions,
  clients: BuildClients,
): Promise<Prepared | undefined> {
  const { params, signal } = o;
  if (!params.customize.packagePath && !params.templateFile && !params.customize.fromFile)
    return undefined;
  const dryLog = new DeferredLogger(o.log);
  let dry: Prepared;
  try {
    dry = await prepare({
      ...o,
      clients,
      params: { ...params, action: 'validate' },
      log: dryLog,
    });
  } catch {
    return undefined;
  }
  const t = await getOrUndefined(() =>
    clients.aib.virtualMachineImageTemplates.get(params.resourceGroup, dry.name, {
      abortSignal: signal,
    }),
  );
  const state = String(t?.lastRunStatus?.runState ?? '');
  const reused = t
    ? t.provisioningState !== 'Failed' && !['Failed', 'Canceled'].includes(state)
    : !!(await findEarlierResult(clients, dry.doc, dry.name, signal));
  if (!reused) return undefined;
  dryLog.replay();
  o.log.info(
    `This job's template ${dry.name} was built${t ? ' (or is building)' : ''} before: ` +
      `nothing is uploaded again.`,
  );
  return dry;
}
