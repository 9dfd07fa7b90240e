/**
 * What an UpdateHostPool run returns, whatever the action: the outputs (names fixed by the issue)
 * and the data of the summary page (hosts before and after, each batch's times).
 */
import { TaskOutcome, TaskResultKind } from '../core/outcome';
import type { HostState } from './state';

export const ROLLOUT_STATES = ['Completed', 'PartiallyCompleted', 'Failed', 'Planned'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** One host in the summary's before/after table. */
export interface HostRow {
  name: string;
  /** The image version id it runs (undefined when not a gallery version). */
  imageVersionId?: string;
  /** Session host status. */
  status?: string;
  sessions?: number;
  zone?: string;
}

/** A host as the summary's table shows it. */
export function hostRow(h: HostState): HostRow {
  return {
    name: h.name,
    imageVersionId: h.vm?.imageVersionId,
    status: h.status,
    sessions: h.sessions,
    zone: h.vm?.zones[0],
  };
}

/** One batch's timeline for the summary (ISO times; undefined for a step not reached). */
export interface BatchTimes {
  number: number;
  canary: boolean;
  /** Old hosts replaced and new hosts made. */
  oldHosts: string[];
  newHosts: string[];
  started: string;
  available?: string;
  drained?: string;
  removed?: string;
  ended?: string;
}

export interface UpdateHostPoolResult {
  rolloutState: RolloutState;
  /** New hosts this rollout made that serve now (across runs of the same rollout). */
  hostsAdded: string[];
  /** Old hosts removed (deleted or deallocated). */
  hostsRemoved: string[];
  /** Hosts already on the target image, left as they were. */
  hostsKept: string[];
  /** The image version id the pool's new hosts run (the target). */
  imageVersionId: string;
  before: HostRow[];
  after: HostRow[];
  batches: BatchTimes[];
  /** The task result (SucceededWithIssues when warnings were given, e.g. forceLogOff never). */
  result: TaskResultKind;
  /** One line for the task result. */
  message: string;
  /** Markdown for the summary page. */
  summary?: string;
}

/** Output variables: host counts (the names are in the summary), the image, the state. */
export function resultOutputs(r: UpdateHostPoolResult): Record<string, string> {
  return {
    hostsAdded: String(r.hostsAdded.length),
    hostsRemoved: String(r.hostsRemoved.length),
    hostsKept: String(r.hostsKept.length),
    imageVersionId: r.imageVersionId,
    rolloutState: r.rolloutState,
  };
}

export function toTaskOutcome(r: UpdateHostPoolResult): TaskOutcome {
  return { result: r.result, message: r.message, outputs: resultOutputs(r), summary: r.summary };
}
