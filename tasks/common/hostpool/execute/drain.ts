/**
 * Draining old hosts and putting them back. A drain tags the VM first (`gip.rollout.drained` = the
 * time it started, and the scaling plan's exclusion tag so autoscale leaves the host alone), then
 * stops new sessions (`allowNewSession: false`). A host carrying the drained tag is never drained
 * twice: its drain time stays, so the drain timeout and messages resume from it. A host with no
 * running VM (autoscale deallocated it) has no sessions and nothing to drain.
 */
import { DRAINED_TAG, EXCLUSION_TAG_VALUE } from '../tags';
import { VmParts } from '../vmParts';
import { ExecContext, getVm, Tags, updateVmTags } from './context';

/** An old session host as the read gave it. */
export interface OldHost {
  /** The session host's own name (computer name, FQDN when AD DS-joined). */
  name: string;
  status?: string;
  allowNewSession: boolean;
  /** User sessions when read. */
  sessions: number;
  /** Its VM; undefined when the VM is gone. */
  vm?: { id: string; tags: Tags; powerState?: string; imageVersionId?: string; parts: VmParts };
}

/** An old host after drainHosts. */
export interface DrainedHost {
  host: OldHost;
  /** When its drain started (ms); undefined when there was nothing to drain. */
  drainedAt?: number;
  /** True when this call started the drain (its users get the first message now). */
  fresh: boolean;
}

export interface DrainHostsOptions {
  ctx: ExecContext;
  hosts: OldHost[];
  /** The scaling plan's exclusion tag name; undefined when the pool has no scaling plan. */
  exclusionTag?: string;
}

/** True when the host cannot have sessions: its VM is gone or deallocated and it has none. */
export function idle(host: OldHost): boolean {
  const off = !host.vm || /deallocated|stopped/i.test(host.vm.powerState ?? '');
  return off && host.sessions === 0;
}

/** Drains the hosts (or picks up the drains an earlier run started). */
export async function drainHosts(o: DrainHostsOptions): Promise<DrainedHost[]> {
  const { ctx } = o;
  return Promise.all(
    o.hosts.map(async (host): Promise<DrainedHost> => {
      if (idle(host) || !host.vm) {
        ctx.run.log.info(`${host.name}: no running VM and no session; nothing to drain.`);
        return { host, fresh: false };
      }
      const earlier = Date.parse(host.vm.tags[DRAINED_TAG] ?? '');
      const fresh = Number.isNaN(earlier);
      const drainedAt = fresh ? ctx.clock.now() : earlier;
      if (fresh) {
        const tags = await updateVmTags(ctx, host.vm.id, host.vm.tags, {
          [DRAINED_TAG]: new Date(drainedAt).toISOString(),
          ...(o.exclusionTag && !host.vm.tags[o.exclusionTag]
            ? { [o.exclusionTag]: EXCLUSION_TAG_VALUE }
            : {}),
        });
        if (tags) host.vm.tags = tags;
      }
      if (host.allowNewSession) {
        await setAllowNewSession(ctx, host.name, false);
        host.allowNewSession = false;
      }
      ctx.run.log.info(
        fresh
          ? `${host.name}: drained (no new sessions; ${host.sessions} signed in).`
          : `${host.name}: drained since ${new Date(drainedAt).toISOString()} by an earlier run.`,
      );
      return { host, drainedAt, fresh };
    }),
  );
}

export interface UndrainHostsOptions {
  ctx: ExecContext;
  hosts: OldHost[];
  exclusionTag?: string;
  /**
   * Read each VM first instead of trusting `hosts` (a drain cut short by a failure or cancel may
   * have written more than it saw answered).
   */
  reread?: boolean;
}

/**
 * Puts drained hosts back in service: new sessions allowed, the drained tag and the exclusion tag
 * this task set removed. Hosts the task did not drain are left alone.
 */
export async function undrainHosts(o: UndrainHostsOptions): Promise<string[]> {
  const { ctx } = o;
  const back: string[] = [];
  await Promise.all(
    o.hosts.map(async (host) => {
      if (o.reread && host.vm) {
        const fresh = await getVm(ctx, host.vm.id);
        if (!fresh) return;
        host.vm.tags = fresh.tags ?? {};
        if (host.vm.tags[DRAINED_TAG]) host.allowNewSession = false;
      }
      if (!host.vm?.tags[DRAINED_TAG]) return;
      const ours = o.exclusionTag && host.vm.tags[o.exclusionTag] === EXCLUSION_TAG_VALUE;
      if (!host.allowNewSession) {
        await setAllowNewSession(ctx, host.name, true);
        host.allowNewSession = true;
      }
      const tags = await updateVmTags(ctx, host.vm.id, host.vm.tags, {
        [DRAINED_TAG]: undefined,
        ...(ours && o.exclusionTag ? { [o.exclusionTag]: undefined } : {}),
      });
      if (tags) host.vm.tags = tags;
      ctx.run.log.info(`${host.name}: serves again (new sessions allowed).`);
      back.push(host.name);
    }),
  );
  return back;
}

async function setAllowNewSession(ctx: ExecContext, host: string, allow: boolean): Promise<void> {
  await ctx.avd.sessionHosts.update(ctx.pool.resourceGroup, ctx.pool.name, host, {
    sessionHost: { allowNewSession: allow },
    abortSignal: ctx.signal,
  });
}
