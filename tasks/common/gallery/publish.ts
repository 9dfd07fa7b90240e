/**
 * action: publish — an image version from a source, in a gallery and image definition created when
 * missing. Everything is read and checked first (inputs, regions, source, definition, version
 * name); the plan is printed; only then is anything written.
 */
import type { GalleryImageVersion } from '@azure/arm-compute';
import { InputError } from '../core/errors';
import { TaskOutcome } from '../core/outcome';
import { PlanItem, planChanges, renderPlan } from '../core/plan';
import { publishRefusals } from './connectionAccess';
import { GalleryRun, loadLocations, resolveOrFail } from './context';
import {
  describeTraits,
  ensureGalleryAndDefinition,
  planDefinition,
  readGalleryState,
} from './galleryState';
import { buildOutcome, RunReport } from './outcome';
import { versionNumberOf } from '../core/pipelineInfo';
import { provenanceTags, sourceOfVersion, TAGS } from '../core/provenance';
import { pruneVersions } from './pruning';
import {
  AzureLocation,
  canonicalRegion,
  plural,
  RegionSpec,
  sameRegion,
  TargetRegion,
  targetRegionsFor,
} from './regions';
import { aggregate } from './lifecycle';
import { applySharing, planSharing, sharingItem } from './sharing';
import { describeAnySource, inspectSource, SourceInfo } from './source';
import { findVersionsInUse } from './usage';
import { newVersionBody } from './versionBody';
import { versionChanges } from './versionChanges';
import { decideVersion, VersionDecision } from './versionDecision';
import { deleteVersion, followReplication, putVersion, VersionWrite } from './versionWrites';

export async function publish(run: GalleryRun): Promise<TaskOutcome> {
  const { params: p, log, ref } = run;
  log.group('Checking the inputs against Azure (nothing is changed yet)');
  const locations = await loadLocations(run);
  const regions = resolveOrFail(p.regions, locations, 'targetRegions');
  const location = p.target.location
    ? resolveOrFail([{ region: p.target.location }], locations, 'location')[0].region
    : undefined;
  const query = p.source!.ref.split('?')[1];
  if (query) log.secret(query);
  const source = await inspectSource(run.azure, p.source!, log, run.signal);
  const sourceRegion = source.location ? canonicalRegion(source.location, locations) : undefined;
  log.info(
    `Source: ${source.describe}${sourceRegion ? ` in ${sourceRegion}` : ''} ` +
      `(${describeTraits(source)}).`,
  );

  const state = await readGalleryState(run);
  if (!state.gallery && !/^[A-Za-z0-9]([A-Za-z0-9._]{0,78}[A-Za-z0-9])?$/.test(ref.gallery)) {
    throw new InputError(
      'galleryName',
      `'${ref.gallery}' can't be the name of a new gallery`,
      'letters, digits, periods and underscores only (Azure refuses dashes in gallery ' +
        'names), e.g. ' +
        ref.gallery.replace(/-/g, '_'),
    );
  }
  const galleryLocation =
    state.gallery?.location ?? location ?? sourceRegion ?? state.resourceGroup?.location;
  if (!galleryLocation)
    throw new InputError(
      'location',
      'is needed to create the resource group and gallery: the source does not say its region',
      'a region such as westeurope',
    );
  const definitionPlan = planDefinition(run, state, source, galleryLocation);

  const decision = decideVersion({
    plan: p.version!,
    versions: state.versions.map((v) => ({
      name: v.name ?? '',
      tags: v.tags,
      source: sourceOfVersion(v.storageProfile),
    })),
    source: source.ref,
    describeSource: describeAnySource,
    pipeline: run.pipeline,
    overwrite: p.overwrite,
    definition: ref.definition,
  });
  const name = decision.name;
  if (p.version?.kind === 'fixed' && p.version.origin === 'buildNumber')
    log.info(`Version ${name}, from build number ${versionNumberOf(run.pipeline)}.`);
  const existing =
    decision.mode === 'create'
      ? undefined
      : await run.compute.galleryImageVersions.get(
          ref.resourceGroup,
          ref.gallery,
          ref.definition,
          name,
          { expand: 'ReplicationStatus', abortSignal: run.signal },
        );
  const versionPlan = planVersionWrite(run, {
    decision,
    existing,
    source,
    regions,
    galleryLocation,
    locations,
  });
  if (decision.mode === 'replace') await checkReplaceable(run, existing!);
  const sharePlan = planSharing(state.gallery, p.share);

  const galleryItems: PlanItem[] = [];
  if (!state.resourceGroup)
    galleryItems.push({
      action: 'create',
      target: `resource group ${ref.resourceGroup} in ${galleryLocation}`,
      reason: 'missing',
    });
  galleryItems.push(
    state.gallery
      ? {
          action: 'keep',
          target: `gallery ${ref.gallery} in ${state.gallery.location}`,
          reason: 'exists',
        }
      : {
          action: 'create',
          target: `gallery ${ref.gallery} in ${galleryLocation}`,
          reason: 'missing',
        },
    definitionPlan.item,
  );
  if (sharePlan) galleryItems.push(sharingItem(ref.gallery, sharePlan));
  log.info(renderPlan('Plan (nothing is changed yet)', [...galleryItems, ...versionPlan.items]));
  log.endGroup();

  const refused = await publishRefusals(run, {
    gallery: !state.gallery,
    definition: definitionPlan.item.action !== 'keep',
    version: !!versionPlan.body,
    deleteVersion: decision.mode === 'replace',
  });
  if (refused.length) throw new Error(refused.join('\n'));

  log.group(`Gallery ${ref.gallery} and image definition ${ref.definition}`);
  const { gallery } = await ensureGalleryAndDefinition(
    run,
    state,
    definitionPlan,
    galleryLocation,
    !!sharePlan,
  );
  if (sharePlan) await applySharing(run, gallery, sharePlan);
  if (!planChanges(galleryItems)) log.info('They exist as asked; nothing to change.');
  log.endGroup();

  log.group(`Image version ${name}`);
  let write: VersionWrite | undefined;
  if (decision.mode === 'replace') {
    log.info(
      `Deleting version ${name} (overwrite), which was published from ` +
        `${describeAnySource(decision.existing.source)}...`,
    );
    await deleteVersion(run, name);
  }
  if (versionPlan.body) {
    // The write is the last item (an overwrite's delete comes before it).
    const item = versionPlan.items[versionPlan.items.length - 1];
    log.info(`${item.action === 'create' ? 'Creating' : 'Updating'} ${item.target}...`);
    write = await putVersion(run, name, versionPlan.body);
  } else {
    log.info(
      `Version ${name}: nothing to change (${versionPlan.what.replace(/^unchanged: /, '')}).`,
    );
  }
  const replication = await followReplication(run, name, locations, write);
  log.endGroup();
  const failedRegions = replication.regions
    .filter((r) => /^failed$/i.test(r.state))
    .map((r) => r.region);
  if (failedRegions.length && !replication.problem)
    versionPlan.what += `; replication failed in ${failedRegions.join(', ')} (tolerated)`;

  const report: RunReport = {
    what: versionPlan.what,
    version: name,
    source: source.describe,
    targetRegions: versionPlan.targetRegions,
    regions: replication.regions,
    replication: aggregate(replication),
    problem: replication.problem,
    excludedFromLatest:
      (versionPlan.body ?? existing)?.publishingProfile?.excludeFromLatest ?? false,
    endOfLife: (versionPlan.body ?? existing)?.publishingProfile?.endOfLifeDate,
    notes: versionPlan.notes,
  };
  if (p.prune) {
    if (replication.outcome !== 'completed') {
      // Until the new version is in every region, older versions may be what some regions deploy.
      report.notes.push(
        `Prune skipped: version ${name} is not replicated to every region, so older ` +
          `versions are kept.`,
      );
      log.warn(report.notes[report.notes.length - 1]);
    } else {
      report.prune = await pruneVersions(run, { ...p.prune, current: name }, gallery);
    }
  }
  return buildOutcome(run, report);
}

interface VersionWritePlan {
  body?: GalleryImageVersion;
  targetRegions: TargetRegion[];
  /** The version's lines of the plan: create; delete and create (overwrite); update; or keep. */
  items: PlanItem[];
  what: string;
  notes: string[];
}

/** What the version write starts from: the decision, what exists, and where things are. */
interface VersionWriteInputs {
  decision: VersionDecision;
  /** The version as it exists (not for `create`). */
  existing: GalleryImageVersion | undefined;
  source: SourceInfo;
  /** The targetRegions input, resolved. */
  regions: RegionSpec[];
  galleryLocation: string;
  /** The subscription's regions, for canonical names. */
  locations: AzureLocation[];
}

function planVersionWrite(run: GalleryRun, w: VersionWriteInputs): VersionWritePlan {
  const { decision: d, existing, source, regions, galleryLocation, locations } = w;
  const { params: p, log } = run;
  const notes: string[] = [];
  if (d.mode === 'create' || d.mode === 'replace') {
    const location = versionLocation(source, galleryLocation, locations);
    let wanted = regions.length ? regions : [{ region: location }];
    if (!wanted.some((r) => sameRegion(r.region, location))) {
      wanted = [{ region: location }, ...wanted];
      notes.push(
        `Azure keeps a version in the region of its source: ${location} was added to the ` +
          `target regions.`,
      );
      log.info(notes[notes.length - 1]);
    }
    const targetRegions = targetRegionsFor(wanted, p.regionDefaults);
    const body = newVersionBody({
      location,
      source,
      targetRegions,
      excludeFromLatest: p.excludeFromLatest,
      endOfLifeDate: p.endOfLifeDate,
      blockDeletionBeforeEndOfLife: p.blockDeletionBeforeEndOfLife,
      tags: { ...p.tags, ...provenanceTags(run.pipeline, source.ref) },
    });
    const where = targetRegions
      .map(
        (t) =>
          `${t.name} (${plural(t.regionalReplicaCount ?? 1, 'replica')}, ${t.storageAccountType})`,
      )
      .join(', ');
    const create: PlanItem = {
      action: 'create',
      target: `version ${d.name} from ${source.describe} in ${location}`,
      reason: d.mode === 'replace' ? 'overwrite' : 'missing',
      details: [`replicated to ${where}`, ...(p.excludeFromLatest ? ['excluded from latest'] : [])],
    };
    return {
      body,
      targetRegions,
      notes,
      items:
        d.mode === 'replace'
          ? [
              {
                action: 'delete',
                target: `version ${d.name}`,
                reason: `overwrite: it was published from ${describeAnySource(d.existing.source)}`,
              },
              create,
            ]
          : [create],
      what:
        d.mode === 'replace'
          ? `replaced (overwrite): published from ${source.describe}`
          : `published from ${source.describe} to ${plural(targetRegions.length, 'region')}`,
    };
  }
  const v = existing!;
  const by =
    d.mode === 'own'
      ? 'this job published it already'
      : `published from the same ` +
        `source${v.tags?.[TAGS.runUrl] ? ` by ${v.tags[TAGS.runUrl]}` : ' before'}`;
  const { targetRegions, changes, body } = versionChanges(run, v, regions, locations);
  if (p.excludeFromLatest !== (v.publishingProfile?.excludeFromLatest ?? false)) {
    notes.push(
      `Version ${d.name} is ` +
        `${v.publishingProfile?.excludeFromLatest ? 'excluded from' : 'included in'} latest ` +
        `and stays so: publishing never changes that of an existing version (use action: ` +
        `promote).`,
    );
  }
  if (!body)
    return {
      targetRegions,
      notes,
      items: [{ action: 'keep', target: `version ${d.name}`, reason: by }],
      what: `unchanged: ${by}`,
    };
  return {
    body,
    targetRegions,
    notes,
    items: [{ action: 'update', target: `version ${d.name}`, reason: by, details: changes }],
    what: `updated (${changes.join(', ')}); ${by}`,
  };
}

/**
 * Compute creates a version in its source's region (a gallery source: the gallery's, if replicated
 * there).
 */
function versionLocation(
  source: SourceInfo,
  galleryLocation: string,
  locations: AzureLocation[],
): string {
  if (
    source.kind === 'galleryImageVersion' &&
    source.regions?.some((r) => sameRegion(r, galleryLocation))
  )
    return canonicalRegion(galleryLocation, locations);
  return canonicalRegion(source.location ?? galleryLocation, locations);
}

/** Overwrite deletes the version first: refused when it is protected or in use. */
async function checkReplaceable(run: GalleryRun, v: GalleryImageVersion): Promise<void> {
  const eol = v.publishingProfile?.endOfLifeDate;
  if (v.safetyProfile?.blockDeletionBeforeEndOfLife && (!eol || eol > new Date())) {
    throw new Error(
      `Version ${v.name} can't be overwritten: it blocks deletion before its end of ` +
        `life${eol ? ` (${eol.toISOString().slice(0, 10)})` : ''}. Publish another version.`,
    );
  }
  const gallery = await run.compute.galleries.get(run.ref.resourceGroup, run.ref.gallery, {
    abortSignal: run.signal,
  });
  const scan = await findVersionsInUse(
    run.azure,
    run.ref,
    gallery.identifier?.uniqueName,
    run.log,
    run.signal,
  );
  const users = scan.inUse.get(v.name ?? '');
  if (users?.length)
    throw new Error(
      `Version ${v.name} can't be overwritten: it is in use by ${users.join(', ')}. ` +
        `Publish another version.`,
    );
  if (!scan.complete)
    throw new Error(
      `Version ${v.name} can't be overwritten: it can't be checked that nothing uses it ` +
        `(${scan.gaps.join('; ')}).`,
    );
}
