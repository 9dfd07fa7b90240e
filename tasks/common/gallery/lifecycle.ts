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
import { describeRegions, regionStates } from './replication';
import { describeAnySource } from './source';
import { updatedVersionBody } from './versionBody';
import { newEndOfLife, versionChanges } from './versionChanges';
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
  const v = await getOrUndefined(() =>
    compute.galleryImageVersions.get(ref.resourceGroup, ref.gallery, ref.definition, name, {
      expand: 'ReplicationStatus',
      abortSignal: signal,
    }),
  );
  if (!v)
    throw new Error(
      `Image version ${name} does not exist in ${ref.gallery}/${ref.definition} (resource ` +
        `group ${ref.resourceGroup}, subscription ${ref.subscriptionId}).`,
    );
  return v;
}

export async function replicate(run: GalleryRun): Promise<TaskOutcome> {
  const { params: p, log } = run;
  const name = (p.version as { version: string }).version;
  log.group(`Checking version ${name} (nothing is changed yet)`);
  const locations = await loadLocations(run);
  const regions = resolveOrFail(p.regions, locations, 'targetRegions');
  const v = await readVersion(run, name);
  const c = versionChanges(run, v, regions, locations);
  log.info(`Now: ${describeRegions(regionStates(v, locations))}.`);
  const why = [
    c.asked && 'not as the inputs ask',
    c.failed.length && `replication failed in ${c.failed.join(', ')}`,
  ];
  const item: PlanItem = c.changes.length
    ? {
        action: 'update',
        target: `version ${name}`,
        reason: why.filter(Boolean).join('; '),
        details: c.changes,
      }
    : {
        action: 'keep',
        target: `version ${name}`,
        reason: 'its target regions and end of life are as asked',
        details: ['waiting for replication to finish'],
      };
  log.info(renderPlan('Plan (nothing is changed yet)', [item]));
  log.endGroup();
  log.group(`Image version ${name}`);
  const write = c.body ? await putVersion(run, name, c.body) : undefined;
  const replication = await followReplication(run, name, locations, write);
  log.endGroup();
  return buildOutcome(run, {
    what: c.changes.length
      ? `updated: ${c.changes.join(', ')}`
      : 'unchanged: already replicated as asked',
    version: name,
    source: describeAnySource(sourceOfVersion(v.storageProfile)),
    targetRegions: c.targetRegions,
    regions: replication.regions,
    replication: aggregate(replication),
    problem: replication.problem,
    excludedFromLatest: v.publishingProfile?.excludeFromLatest,
    endOfLife: c.endOfLife ?? v.publishingProfile?.endOfLifeDate,
    notes: [],
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
  if (
    unfinished.length &&
    !(failedOnly && p.tolerateFailedRegions && unfinished.length < regions.length)
  ) {
    throw new Error(
      `Version ${name} is not replicated everywhere yet (${describeRegions(regions)}); ` +
        `promoting it now would make "latest" point at an image some regions can't deploy. ` +
        'Promote it once replication has finished (action: replicate waits for it)' +
        (failedOnly ? ', or set tolerateFailedRegions to promote it with the failed regions' : '') +
        '.',
    );
  }
  const excluded =
    v.publishingProfile?.excludeFromLatest ||
    (v.publishingProfile?.targetRegions ?? []).some((t) => t.excludeFromLatest);
  const eol = newEndOfLife(p.endOfLifeDate, v);
  const changes = [
    excluded && 'include it in latest',
    eol && `end of life ${eol.toISOString().slice(0, 10)}`,
  ].filter((c): c is string => !!c);
  const item: PlanItem = changes.length
    ? {
        action: 'update',
        target: `version ${name}`,
        reason: excluded ? 'excluded from latest' : 'the inputs set another end of life',
        details: changes,
      }
    : { action: 'keep', target: `version ${name}`, reason: 'already included in latest' };
  log.info(renderPlan('Plan (nothing is changed yet)', [item]));
  log.endGroup();
  let replication: ReplicationReport = { outcome: 'completed', regions };
  if (excluded || eol) {
    log.group(`Image version ${name}`);
    const write = await putVersion(
      run,
      name,
      updatedVersionBody(v, {
        excludeFromLatest: excluded ? false : undefined,
        endOfLifeDate: eol,
      }),
    );
    replication = await followReplication(run, name, locations, write);
    log.endGroup();
  }
  return buildOutcome(run, {
    what: excluded
      ? 'promoted: included in latest'
      : eol
        ? 'end of life updated'
        : 'unchanged: already included in latest',
    version: name,
    source: describeAnySource(sourceOfVersion(v.storageProfile)),
    targetRegions: v.publishingProfile?.targetRegions,
    regions: replication.regions,
    replication: aggregate(replication),
    problem: replication.problem,
    excludedFromLatest: false,
    endOfLife: eol ?? v.publishingProfile?.endOfLifeDate,
    notes: [],
  });
}

export async function prune(run: GalleryRun): Promise<TaskOutcome> {
  const { ref, compute, signal } = run;
  const definition = await getOrUndefined(() =>
    compute.galleryImages.get(ref.resourceGroup, ref.gallery, ref.definition, {
      abortSignal: signal,
    }),
  );
  if (!definition)
    throw new Error(
      `Image definition ${ref.gallery}/${ref.definition} does not exist (resource group ` +
        `${ref.resourceGroup}, subscription ${ref.subscriptionId}); there is nothing to ` +
        `prune.`,
    );
  const report = await pruneVersions(run, run.params.prune!);
  const n = report.deleted.length;
  const would = report.decisions.filter((d) => d.delete).length;
  return buildOutcome(run, {
    what: report.dryRun
      ? `dry run: ${would} version(s) would be deleted`
      : report.skipped
        ? 'pruned nothing'
        : `pruned ${n} version(s)${n ? ` (${report.deleted.join(', ')})` : ''}`,
    prune: report,
    notes: [],
  });
}
