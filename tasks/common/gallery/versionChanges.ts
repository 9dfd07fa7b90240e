/**
 * What writing an existing image version again changes (publish of a version that exists,
 * replicate): its target regions merged with the inputs', the regions whose replication failed
 * retried, and the end of life the inputs set. Reads nothing; the merge's warnings are logged.
 */
import type { GalleryImageVersion } from '@azure/arm-compute';
import { GalleryRun } from './context';
import {
  AzureLocation,
  canonicalRegion,
  mergeTargetRegions,
  RegionSpec,
  TargetRegion,
} from './regions';
import { updatedVersionBody } from './versionBody';

export interface VersionChanges {
  targetRegions: TargetRegion[];
  /**
   * Whether the inputs ask for other target regions or another end of life (retrying failed regions
   * aside).
   */
  asked: boolean;
  /** Regions whose replication failed, retried by writing the version again. */
  failed: string[];
  /** The end of life to set; undefined when the version has it already. */
  endOfLife?: Date;
  /** Each change in words; empty when there is nothing to write. */
  changes: string[];
  /** The version to write; undefined when there is nothing to write. */
  body?: GalleryImageVersion;
}

export function versionChanges(
  run: GalleryRun,
  v: GalleryImageVersion,
  regions: RegionSpec[],
  locations: AzureLocation[],
): VersionChanges {
  const p = run.params;
  const merge = mergeTargetRegions(
    v.publishingProfile?.targetRegions ?? [],
    regions,
    p.regionDefaults,
    locations,
  );
  merge.warnings.forEach((w) => run.log.warn(w));
  const failed = (v.replicationStatus?.summary ?? [])
    .filter((s) => /^failed$/i.test(s.state ?? ''))
    .map((s) => canonicalRegion(s.region ?? '', locations));
  const endOfLife = newEndOfLife(p.endOfLifeDate, v);
  const changes = [
    ...merge.changes,
    ...(failed.length ? [`retry replication to ${failed.join(', ')}`] : []),
    ...(endOfLife ? [`end of life ${endOfLife.toISOString().slice(0, 10)}`] : []),
  ];
  return {
    targetRegions: merge.targetRegions,
    asked: merge.changes.length > 0 || !!endOfLife,
    failed,
    endOfLife,
    changes,
    body: changes.length
      ? updatedVersionBody(v, { targetRegions: merge.targetRegions, endOfLifeDate: endOfLife })
      : undefined,
  };
}

/** The end of life the inputs ask for, when the version does not have it already. */
export function newEndOfLife(asked: Date | undefined, v: GalleryImageVersion): Date | undefined {
  return asked && asked.getTime() !== v.publishingProfile?.endOfLifeDate?.getTime()
    ? asked
    : undefined;
}
