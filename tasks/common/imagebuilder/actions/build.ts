/**
 * `build`, the default: prepare the template (prepare.ts), start its build once per job
 * (run/launch.ts), follow it with its log live and finish it (run/finish.ts). A build refused
 * while the identity's new role assignments propagate is started again (run/propagation.ts). The
 * uploads are deleted when it ends, unless kept or another template still uses them.
 */
import { sleep } from '../../core/clock';
import { buildClients } from '../clients';
import { followAndFinish } from '../run/finish';
import { launch } from '../run/launch';
import { BuildResult } from '../run/outcome';
import { propagatingGrantAge } from '../run/propagation';
import { dropBuildBlobs } from '../uploads/blobsInUse';
import { BuildOptions } from './action';
import { prepare } from './prepare';

export async function build(o: BuildOptions): Promise<BuildResult> {
  const { params, log, signal } = o;
  const started = Date.now();
  const clients = buildClients(o.azure);
  const p = await prepare({ ...o, clients });
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
