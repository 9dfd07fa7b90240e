/**
 * The actions on a version that exists: replicate (add regions or replicas, retry failed regions,
 * wait), promote (clear "exclude from latest"), and prune (delete old versions).
 */
import type { GalleryImageVersion } from '@azure/arm-compute';
import { TaskOutcome } from '../core/outcome';
import { PlanItem, renderPlan } from '../core/plan';
import { getOrUndefined } from '../azure/notFound';
import { GalleryRun, loadLocations, resolveOrFail } from './context';
import { buildOutcome } from './outcome';
import { pruneVersions } from './pruning';
import { canonicalRegion, mergeTargetRegions } from './regions';
import { describeRegions, regionStates } from './replication';
import { describeAnySource } from './source';
import { updatedVersionBody } from './versionBody';
import { followReplication, putVersion, ReplicationReport } from './versionWrites';
import { sourceOfVersion } from '../core/provenance';

/** The version's replication in one word, for the replicationState output. */
export function aggregate(r: ReplicationReport): string {
  if (r.outcome === 'completed') return 'Completed';
  if (r.outcome === 'failed') return 'Failed';
  return r.regions.every((x) => /^completed$/i.test(x.state)) ? 'Completed' : 'InProgress';
}

async function readVersion(run: GalleryRun, name: string): Promise<GalleryImageVersion> {
  const { ref, compute, signal } = run;
  const v = await getOrUndefined(() => compute.galleryImageVersions.get(ref.resourceGroup, ref.gallery, ref.definition, name, { expand: 'ReplicationStatus', abortSignal: signal }));
  if (!v) throw new Error(`Image version ${name} does not exist in ${ref.gallery}/${ref.definition} (resource group ${ref.resourceGroup}, subscription ${ref.subscriptionId}).`);
  return v;
}

export async function replicate(run: GalleryRun): Promise<TaskOutcome> {
  const { params: p, log } = run;
  const name = (p.version as { version: string }).version;
  log.group(`Checking version ${name} (nothing is changed yet)`);
  const locations = await loadLocations(run);
  const regions = resolveOrFail(p.regions, locations, 'targetRegions');
  const v = await readVersion(run, name);
  const merge = mergeTargetRegions(v.publishingProfile?.targetRegions ?? [], regions, p.regionDefaults, locations);
  merge.warnings.forEach((w) => log.warn(w));
  const failed = (v.replicationStatus?.summary ?? []).filter((s) => /^failed$/i.test(s.state ?? '')).map((s) => canonicalRegion(s.region ?? '', locations));
  const eol = p.endOfLifeDate && p.endOfLifeDate.getTime() !== v.publishingProfile?.endOfLifeDate?.getTime() ? p.endOfLifeDate : undefined;
  const changes = [...merge.changes, ...(failed.length ? [`retry replication to ${failed.join(', ')}`] : []), ...(eol ? [`end of life ${eol.toISOString().slice(0, 10)}`] : [])];
  log.info(`Now: ${describeRegions(regionStates(v, locations))}.`);
  const why = [(merge.changes.length || eol) && 'not as the inputs ask', failed.length && `replication failed in ${failed.join(', ')}`];
  const item: PlanItem = changes.length
    ? { action: 'update', target: `version ${name}`, reason: why.filter(Boolean).join('; '), details: changes }
    : { action: 'keep', target: `version ${name}`, reason: 'its target regions and end of life are as asked', details: ['waiting for replication to finish'] };
  log.info(renderPlan('Plan (nothing is changed yet)', [item]));
  log.endGroup();
  log.group(`Image version ${name}`);
  const write = changes.length ? await putVersion(run, name, updatedVersionBody(v, { targetRegions: merge.targetRegions, endOfLifeDate: eol })) : undefined;
  const replication = await followReplication(run, name, locations, write);
  log.endGroup();
  return buildOutcome(run, {
    what: changes.length ? `updated: ${changes.join(', ')}` : 'unchanged: already replicated as asked',
    version: name, source: describeAnySource(sourceOfVersion(v.storageProfile)), targetRegions: merge.targetRegions,
    regions: replication.regions, replication: aggregate(replication), problem: replication.problem,
    excludedFromLatest: v.publishingProfile?.excludeFromLatest, endOfLife: eol ?? v.publishingProfile?.endOfLifeDate, notes: [],
  });
}

export async function promote(run: GalleryRun): Promise<TaskOutcome> {
  const { params: p, log } = run;
  const name = (p.version as { version: string }).version;
  log.group(`Checking version ${name} (nothing is changed yet)`);
  const locations = await loadLocations(run);
  const v = await readVersion(run, name);
  const regions = regionStates(v, locations);
  const unfinished = regions.filter((r) => !/^completed$/i.test(r.state));
  const failedOnly = unfinished.every((r) => /^failed$/i.test(r.state));
  if (unfinished.length && !(failedOnly && p.tolerateFailedRegions && unfinished.length < regions.length)) {
    throw new Error(`Version ${name} is not replicated everywhere yet (${describeRegions(regions)}); promoting it now would make "latest" point at an image some regions can't deploy. ` +
      'Promote it once replication has finished (action: replicate waits for it)' + (failedOnly ? ', or set tolerateFailedRegions to promote it with the failed regions' : '') + '.');
  }
  const excluded = v.publishingProfile?.excludeFromLatest || (v.publishingProfile?.targetRegions ?? []).some((t) => t.excludeFromLatest);
  const eol = p.endOfLifeDate && p.endOfLifeDate.getTime() !== v.publishingProfile?.endOfLifeDate?.getTime() ? p.endOfLifeDate : undefined;
  const changes = [excluded && 'include it in latest', eol && `end of life ${eol.toISOString().slice(0, 10)}`].filter((c): c is string => !!c);
  const item: PlanItem = changes.length
    ? { action: 'update', target: `version ${name}`, reason: excluded ? 'excluded from latest' : 'the inputs set another end of life', details: changes }
    : { action: 'keep', target: `version ${name}`, reason: 'already included in latest' };
  log.info(renderPlan('Plan (nothing is changed yet)', [item]));
  log.endGroup();
  let replication: ReplicationReport = { outcome: 'completed', regions };
  if (excluded || eol) {
    log.group(`Image version ${name}`);
    const write = await putVersion(run, name, updatedVersionBody(v, { excludeFromLatest: excluded ? false : undefined, endOfLifeDate: eol }));
    replication = await followReplication(run, name, locations, write);
    log.endGroup();
  }
  return buildOutcome(run, {
    what: excluded ? 'promoted: included in latest' : eol ? 'end of life updated' : 'unchanged: already included in latest',
    version: name, source: describeAnySource(sourceOfVersion(v.storageProfile)), targetRegions: v.publishingProfile?.targetRegions,
    regions: replication.regions, replication: aggregate(replication), problem: replication.problem,
    excludedFromLatest: false, endOfLife: eol ?? v.publishingProfile?.endOfLifeDate, notes: [],
  });
}

export async function prune(run: GalleryRun): Promise<TaskOutcome> {
  const { ref, compute, signal } = run;
  const definition = await getOrUndefined(() => compute.galleryImages.get(ref.resourceGroup, ref.gallery, ref.definition, { abortSignal: signal }));
  if (!definition) throw new Error(`Image definition ${ref.gallery}/${ref.definition} does not exist (resource group ${ref.resourceGroup}, subscription ${ref.subscriptionId}); there is nothing to prune.`);
  const report = await pruneVersions(run, run.params.prune!);
  const n = report.deleted.length;
  const would = report.decisions.filter((d) => d.delete).length;
  return buildOutcome(run, {
    what: report.dryRun ? `dry run: ${would} version(s) would be deleted` : report.skipped ? 'pruned nothing' : `pruned ${n} version(s)${n ? ` (${report.deleted.join(', ')})` : ''}`,
    prune: report, notes: [],
  });
}
