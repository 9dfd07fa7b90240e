/**
 * What the task reads of the dev center before it writes anything: the dev center itself, the
 * galleries attached to it, the regions dev boxes are made in (its own, its attached network
 * connections', its projects' pools' Microsoft-hosted network regions), its projects' pools and
 * the skus of its subscription.
 */
import { getOrUndefined } from '../azure/notFound';
import { sameId } from '../azure/resourceIds';
import { InputError } from '../core/errors';
import { DevBoxRun } from './context';
import {
  AttachedGallery,
  AttachedNetwork,
  DEVCENTER_API,
  DevCenter,
  DevCenterSku,
  Pool,
  Project,
} from './model';
import { RuleContext } from './requirements/rules';

export async function readDevCenter(run: DevBoxRun): Promise<DevCenter> {
  const dc = await getOrUndefined(() =>
    run.arm.get<DevCenter>(run.devCenterId, DEVCENTER_API, run.signal),
  );
  if (!dc) {
    const { name, resourceGroup } = run.params.devCenter;
    throw new InputError(
      'devCenter',
      `no dev center '${name}' in resource group '${resourceGroup}' of subscription ` +
        `${run.devCenterSubscription}`,
      'an existing dev center (az devcenter admin devcenter list -o table), or its resource id',
    );
  }
  return dc;
}

export function listAttachedGalleries(run: DevBoxRun): Promise<AttachedGallery[]> {
  return run.arm.list<AttachedGallery>(`${run.devCenterId}/galleries`, DEVCENTER_API, run.signal);
}

/** A project of the dev center with its pools. */
export interface ProjectPools {
  project: Project;
  pools: Pool[];
}

export async function readProjectPools(run: DevBoxRun): Promise<ProjectPools[]> {
  const projects = await run.arm.list<Project>(
    `/subscriptions/${run.devCenterSubscription}/providers/Microsoft.DevCenter/projects`,
    DEVCENTER_API,
    run.signal,
  );
  const out: ProjectPools[] = [];
  for (const project of projects.filter((p) => sameId(p.properties?.devCenterId, run.devCenterId)))
    out.push({
      project,
      pools: await run.arm.list<Pool>(`${project.id}/pools`, DEVCENTER_API, run.signal),
    });
  return out;
}

/** The regions an image must be replicated to, each with why. */
export async function requiredRegions(
  run: DevBoxRun,
  dc: DevCenter,
  projects: ProjectPools[],
): Promise<RuleContext['regions']> {
  const regions: RuleContext['regions'] = [];
  if (dc.location) regions.push({ region: dc.location, why: `dev center ${dc.name}` });
  const networks = await run.arm.list<AttachedNetwork>(
    `${run.devCenterId}/attachednetworks`,
    DEVCENTER_API,
    run.signal,
  );
  for (const n of networks) {
    const id = n.properties?.networkConnectionId;
    const location =
      n.properties?.networkConnectionLocation ??
      (id
        ? (await run.arm.get<{ location?: string }>(id, DEVCENTER_API, run.signal)).location
        : undefined);
    if (location) regions.push({ region: location, why: `network connection ${n.name}` });
  }
  for (const { project, pools } of projects)
    for (const pool of pools)
      for (const region of pool.properties?.managedVirtualNetworkRegions ?? [])
        regions.push({ region, why: `pool ${project.name}/${pool.name}` });
  return regions;
}

/** Refuses a sku the dev center's subscription does not offer (in its region, when listed). */
export async function checkSku(run: DevBoxRun, sku: string, location?: string): Promise<void> {
  const skus = await run.arm.list<DevCenterSku>(
    `/subscriptions/${run.devCenterSubscription}/providers/Microsoft.DevCenter/skus`,
    DEVCENTER_API,
    run.signal,
  );
  const found = skus.find((s) => s.name.toLowerCase() === sku.toLowerCase());
  const here = (s: DevCenterSku) =>
    !location ||
    !s.locations?.length ||
    s.locations.some((l) => l.toLowerCase().replace(/\s+/g, '') === location.toLowerCase());
  if (found && here(found)) return;
  const offered = [...new Set(skus.filter(here).map((s) => s.name))].sort();
  throw new InputError(
    'sku',
    found
      ? `Dev Box does not offer '${sku}' in ${location}`
      : `Dev Box does not offer a sku '${sku}' to subscription ${run.devCenterSubscription}`,
    `one of ${offered.join(', ') || '(none listed)'}`,
  );
}
