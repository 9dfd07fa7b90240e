/**
 * Which versions a prune deletes: everything but the newest N, and never a version that is in use,
 * protected until its end of life, still being created or deleted, or the one this run published.
 * Each decision carries the reason, for the log and the dry run.
 */
import { compareVersions } from './versioning';

export interface PrunableVersion {
  name: string;
  provisioningState?: string;
  endOfLifeDate?: Date;
  blockDeletionBeforeEndOfLife?: boolean;
}

export interface PruneDecision {
  name: string;
  delete: boolean;
  reason: string;
}

export interface PruneOptions {
  keep: number;
  /** The version this run published or updated. */
  current?: string;
  /** Version name -> what uses it ("VM vm-1 in rg-hosts"). */
  inUse: Map<string, string[]>;
  now: Date;
}

/** Decisions for every version, newest first. */
export function selectForPrune(versions: PrunableVersion[], o: PruneOptions): PruneDecision[] {
  const newestFirst = [...versions].sort((a, b) => compareVersions(b.name, a.name));
  return newestFirst.map((v, index): PruneDecision => {
    const keep = (reason: string) => ({ name: v.name, delete: false, reason });
    if (v.name === o.current) return keep('published by this run');
    if (index < o.keep) return keep(`one of the newest ${o.keep}`);
    const users = o.inUse.get(v.name);
    if (users?.length) return keep(`in use by ${users.join(', ')}`);
    if (v.blockDeletionBeforeEndOfLife && (!v.endOfLifeDate || v.endOfLifeDate > o.now)) {
      return keep(
        `deletion is blocked before its end of ` +
          `life${v.endOfLifeDate ? ` (${v.endOfLifeDate.toISOString().slice(0, 10)})` : ''}`,
      );
    }
    const state = v.provisioningState ?? 'Succeeded';
    if (/^(creating|updating|deleting|migrating)$/i.test(state))
      return keep(`it is ${state.toLowerCase()}`);
    return {
      name: v.name,
      delete: true,
      reason:
        `older than the newest ` +
        `${o.keep}${/^failed$/i.test(state) ? ', provisioning failed' : ''}`,
    };
  });
}
