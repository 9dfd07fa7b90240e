/**
 * The Automated path's result, with the same outputs as a Standard rollout: hosts added (new VMs
 * on the image), removed (hosts whose VM left the pool) and kept (already on the image), from the
 * pool's hosts before and after Azure's update; the rollout state from where the hosts are
 * (PartiallyCompleted: some run the image).
 */
import { sameId } from '../../azure/resourceIds';
import { TaskResultKind } from '../../core/outcome';
import { renderSummary } from '../execute/summary';
import { hostRow, RolloutState, UpdateHostPoolResult } from '../result';
import { HostState } from '../state';

/** What {@link automatedResult} is made from. */
export interface AutomatedResultOptions {
  pool: string;
  /** The image version id the update rolls out. */
  target: string;
  before: HostState[];
  /** The hosts after the update (before's for a plan). */
  after: HostState[];
  result: TaskResultKind;
  message: string;
  /** A plan only: nothing was changed. */
  planned?: boolean;
  /** The plan text, for the summary page. */
  plan: string;
  /** Warnings given during the run, for the summary page. */
  warnings: string[];
}

export function automatedResult(o: AutomatedResultOptions): UpdateHostPoolResult {
  const key = (h: HostState) => (h.vm?.id ?? h.name).toLowerCase();
  const onTarget = (h: HostState) => sameId(h.vm?.imageVersionId, o.target);
  const beforeKeys = new Set(o.before.map(key));
  const afterKeys = new Set(o.after.map(key));
  const hostsAdded = o.after.filter((h) => !beforeKeys.has(key(h)) && onTarget(h));
  const r: UpdateHostPoolResult = {
    rolloutState: rolloutStateOf(o),
    hostsAdded: hostsAdded.map((h) => h.name),
    hostsRemoved: o.before.filter((h) => !afterKeys.has(key(h))).map((h) => h.name),
    hostsKept: o.before.filter((h) => afterKeys.has(key(h)) && onTarget(h)).map((h) => h.name),
    imageVersionId: o.target,
    before: o.before.map(hostRow),
    after: o.planned ? [] : o.after.map(hostRow),
    batches: [],
    result: o.result,
    message: o.message,
  };
  r.summary = [
    renderSummary(r, { pool: o.pool, devicesLeft: [], leftDrained: [], warnings: o.warnings }),
    '',
    '### Plan',
    '```',
    o.plan,
    '```',
    '',
  ].join('\n');
  return r;
}

/** Completed: a run that did not fail and left every host on the image; else how far it got. */
function rolloutStateOf(o: AutomatedResultOptions): RolloutState {
  if (o.planned) return 'Planned';
  const ok = o.result === 'Succeeded' || o.result === 'SucceededWithIssues';
  const onTarget = o.after.filter((h) => sameId(h.vm?.imageVersionId, o.target)).length;
  if (ok && onTarget === o.after.length) return 'Completed';
  return onTarget ? 'PartiallyCompleted' : 'Failed';
}
