// Replication of a gallery image version to its target regions, progressing with (scaled) time.
// Each region has a plan: when it starts, how long it takes, and whether the scenario makes it fail
// (and at what progress). States are computed from the clock when read, so no timers are needed.
import type { SimClock } from '../core/clock';
import { regionDisplayName, sameRegion } from './regions';

/** Nominal time one region takes to replicate, and the delay between successive regions' starts. */
export const REPLICATION_MS = 3 * 60_000;
export const REPLICATION_STAGGER_MS = 45_000;

export interface RegionPlan {
  region: string;
  /** Real epoch ms. */
  startAt: number;
  durationMs: number;
  /** When set the region fails once progress reaches `failAtProgress`. */
  failure?: { message: string; failAtProgress: number };
}

export interface RegionStatus {
  region: string;
  state: 'Unknown' | 'Replicating' | 'Completed' | 'Failed';
  details: string;
  progress: number;
}

/**
 * Scenario key `replicationFailures`: [{region, message?, progress?, version?}] (version: regex on
 * the version id).
 */
export interface ReplicationFailureSpec {
  region: string;
  message?: string;
  progress?: number;
  version?: string;
}

export function failureFor(
  specs: ReplicationFailureSpec[] | undefined,
  region: string,
  versionId: string,
): RegionPlan['failure'] {
  if (specs !== undefined && !Array.isArray(specs))
    throw new Error(
      'scenario.replicationFailures must be an array of {region, message?, progress?, version?}',
    );
  const spec = (specs ?? []).find(
    (s) =>
      sameRegion(s.region, region) &&
      (s.version === undefined || new RegExp(s.version, 'i').test(versionId)),
  );
  if (!spec) return undefined;
  return {
    message: spec.message ?? 'Failed with internal server error.',
    failAtProgress: Math.min(99, Math.max(0, spec.progress ?? 40)),
  };
}

/**
 * Plans for regions added now; `already` is how many regions were planned before (for the stagger).
 */
export function planRegions(
  clock: SimClock,
  regions: string[],
  versionId: string,
  failures: ReplicationFailureSpec[] | undefined,
  now = Date.now(),
): RegionPlan[] {
  return regions.map((region, i) => ({
    region: regionDisplayName(region),
    startAt: now + clock.scaled(i * REPLICATION_STAGGER_MS),
    durationMs: clock.scaled(REPLICATION_MS),
    failure: failureFor(failures, region, versionId),
  }));
}

/** A finished plan (for versions created by a scenario). */
export function completedPlan(region: string): RegionPlan {
  return { region: regionDisplayName(region), startAt: 0, durationMs: 0 };
}

export function regionStatus(plan: RegionPlan, now = Date.now()): RegionStatus {
  if (now < plan.startAt)
    return { region: plan.region, state: 'Unknown', details: '', progress: 0 };
  const raw =
    plan.durationMs <= 0 ? 100 : Math.floor(((now - plan.startAt) / plan.durationMs) * 100);
  if (plan.failure && raw >= plan.failure.failAtProgress) {
    return {
      region: plan.region,
      state: 'Failed',
      details: plan.failure.message,
      progress: plan.failure.failAtProgress,
    };
  }
  if (raw >= 100) return { region: plan.region, state: 'Completed', details: '', progress: 100 };
  return { region: plan.region, state: 'Replicating', details: '', progress: Math.max(0, raw) };
}

/** Real epoch ms at which a region reaches its terminal state. */
export function settlesAt(plan: RegionPlan): number {
  const fraction = plan.failure ? plan.failure.failAtProgress / 100 : 1;
  return plan.startAt + Math.ceil(plan.durationMs * fraction);
}

export function aggregatedState(
  statuses: RegionStatus[],
): 'Unknown' | 'InProgress' | 'Completed' | 'Failed' {
  if (statuses.length === 0) return 'Unknown';
  if (
    statuses.some((s) => s.state === 'Failed') &&
    statuses.every((s) => s.state === 'Failed' || s.state === 'Completed')
  )
    return 'Failed';
  if (statuses.every((s) => s.state === 'Completed')) return 'Completed';
  return 'InProgress';
}

/** The error Compute reports when replication failed in some regions. */
export function replicationFailureMessage(statuses: RegionStatus[]): string {
  const failed = statuses
    .filter((s) => s.state === 'Failed')
    .map((s) => `{region:${s.region.toLowerCase().replace(/\s+/g, '')}, detail:${s.details}}`);
  return (
    `Gallery replication jobs failed in one or more regions. The failing regions' details ` +
    `are as follows: '${failed.join(', ')}'. If retry does not work, then please do an ` +
    `update by removing the failed regions and update again by adding them back.`
  );
}
