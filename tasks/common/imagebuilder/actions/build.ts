/**
 * `build`, the default: prepare the template (prepare.ts), start its build once per job
 * (run/launch.ts), follow it with its log live and finish it (run/finish.ts). The uploads are
 * deleted when it ends, unless kept or another template still uses them.
 */
import { buildClients } from '../clients';
import { followAndFinish } from '../run/finish';
import { launch } from '../run/launch';
import { BuildResult } from '../run/outcome';
import { dropBuildBlobs } from '../uploads/blobsInUse';
import { BuildOptions } from './action';
import { prepare } from './prepare';

export async function build(o: BuildOptions): Promise<BuildResult> {
  const { params } = o;
  const started = Date.now();
  const clients = buildClients(o.azure);
  const p = await prepare({ ...o, clients });
  try {
    const launched = await launch({ ...o, clients, prepared: p, started });
    if ('earlier' in launched) return launched.earlier;
    return await followAndFinish({ ...o, ...p, clients, started });
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
