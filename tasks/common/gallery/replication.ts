/**
 * Waiting for an image version to replicate: one GET with `$expand=ReplicationStatus` per poll
 * covers every region; a line is printed when a region moves, the task's progress follows the
 * average, the next poll waits the service's Retry-After when it gives one, and cancellation stops
 * the wait at once.
 */
import { Clock } from '../core/clock';
import { poll } from '../core/poll';
import { Logger } from '../core/logger';
import { AzureLocation, canonicalRegion, sameRegion } from './regions';

export interface RegionState {
  /** Canonical name (westeurope). */
  region: string;
  /** Unknown (queued), Replicating, Completed or Failed. */
  state: string;
  progress: number;
  details?: string;
}

/** The parts of a version the wait reads. */
export interface ReplicatingVersion {
  provisioningState?: string;
  publishingProfile?: { targetRegions?: { name: string }[] };
  replicationStatus?: {
    aggregatedState?: string;
    summary?: { region?: string; state?: string; progress?: number; details?: string }[];
  };
}

export type WaitOutcome = 'completed' | 'failed' | 'timeout';

export interface WaitResult {
  outcome: WaitOutcome;
  regions: RegionState[];
  provisioningState?: string;
}

/** Every target region with its state; a region not yet in the status is queued (Unknown, 0%). */
export function regionStates(v: ReplicatingVersion, locations: AzureLocation[]): RegionState[] {
  const summary = v.replicationStatus?.summary ?? [];
  const targets =
    v.publishingProfile?.targetRegions?.map((t) => t.name) ?? summary.map((s) => s.region ?? '');
  return targets.map((name) => {
    const s = summary.find((x) => x.region && sameRegion(x.region, name));
    return {
      region: canonicalRegion(name, locations),
      state: s?.state ?? 'Unknown',
      progress: s?.state === 'Completed' ? 100 : Math.max(0, Math.min(100, s?.progress ?? 0)),
      details: s?.details || undefined,
    };
  });
}

const TERMINAL = /^(completed|failed)$/i;
const BUSY = /^(creating|updating|migrating|deleting)$/i;

/**
 * Settled when every region is Completed or Failed and Compute no longer reports work in progress.
 */
export function settled(v: ReplicatingVersion, regions: RegionState[]): WaitOutcome | undefined {
  const state = v.provisioningState ?? '';
  const done = regions.length > 0 && regions.every((r) => TERMINAL.test(r.state));
  if (regions.some((r) => /^failed$/i.test(r.state)) && (done || /^failed$/i.test(state)))
    return 'failed';
  if (/^(failed|canceled)$/i.test(state)) return 'failed';
  if (done && !BUSY.test(state)) return 'completed';
  if (regions.length === 0 && /^succeeded$/i.test(state)) return 'completed';
  return undefined;
}

/** `West Europe 100% Completed · East US 45% · North Europe queued` in canonical names. */
export function progressLine(regions: RegionState[]): string {
  return regions
    .map((r) => {
      if (/^completed$/i.test(r.state)) return `${r.region} completed`;
      if (/^failed$/i.test(r.state))
        return `${r.region} FAILED at ${r.progress}%${r.details ? ` (${r.details})` : ''}`;
      if (/^unknown$/i.test(r.state) && r.progress === 0) return `${r.region} queued`;
      return `${r.region} ${r.progress}%`;
    })
    .join(' · ');
}

function averageProgress(regions: RegionState[]): number {
  if (regions.length === 0) return 0;
  return Math.round(
    regions.reduce(
      (sum, r) => sum + (/^(completed|failed)$/i.test(r.state) ? 100 : r.progress),
      0,
    ) / regions.length,
  );
}

export interface WaitOptions {
  /**
   * One GET with $expand=ReplicationStatus; reports a Retry-After (seconds) through the callback.
   */
  fetch(onRetryAfter: (seconds: number) => void): Promise<ReplicatingVersion>;
  locations: AzureLocation[];
  timeoutMs: number;
  pollIntervalMs: number;
  log: Logger;
  signal: AbortSignal;
  /** For the progress description ("Replicating 1.2.3"). */
  label: string;
  clock?: Clock;
}

export async function waitForReplication(o: WaitOptions): Promise<WaitResult> {
  let last = '';
  const read = async (p: { elapsedMs: number; retryAfter: (seconds: number) => void }) => {
    const version = await o.fetch(p.retryAfter);
    const regions = regionStates(version, o.locations);
    const line = progressLine(regions);
    if (line !== last) o.log.info(`[${minutesSeconds(p.elapsedMs)}] ${line}`);
    last = line;
    const done = regions.filter((r) => TERMINAL.test(r.state)).length;
    o.log.progress(
      averageProgress(regions),
      `${o.label}: ${done} of ${regions.length} regions done`,
    );
    return { version, regions, outcome: settled(version, regions) };
  };
  const { value } = await poll({
    read,
    done: (v) => !!v.outcome,
    intervalMs: o.pollIntervalMs,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    clock: o.clock,
  });
  return {
    outcome: value.outcome ?? 'timeout',
    regions: value.regions,
    provisioningState: value.version.provisioningState,
  };
}

function minutesSeconds(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** One sentence for a failed or unfinished replication. */
export function describeRegions(regions: RegionState[]): string {
  return regions
    .map(
      (r) =>
        `${r.region}: ` +
        `${r.state}${/^completed$/i.test(r.state) ? '' : ` ${r.progress}%`}` +
        `${r.details ? ` (${r.details})` : ''}`,
    )
    .join('; ');
}
