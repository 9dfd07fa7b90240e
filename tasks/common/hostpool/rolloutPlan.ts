/**
 * The rollout plan: which hosts are kept (already on the target: no write of any kind to them,
 * ever), which are replaced batch by batch (the canary first, then `batchSize`; hosts a stopped
 * run left half-done first, then fewest sessions first), the new hosts' names and zones, and what
 * goes. Resume state comes from the agreed tags: a new VM made for the target by an earlier run
 * (tag gip.rollout.target) that names an old host still in the pool (gip.rollout.replaces) is that
 * host's replacement, not made again; an old host tagged gip.rollout.drained is never drained
 * twice. Pure: no I/O.
 */
import { InputError } from '../core/errors';
import { PlanItem, renderPlan } from '../core/plan';
import { sameId, shortName } from '../azure/resourceIds';
import { checkNameLength, defaultPrefix, highestIndex, nextNames } from './naming';
import { OldHosts } from './params';
import { HostState, HostTemplate, PoolState, ResolvedJoin, TargetImage, VmState } from './state';
import { DRAINED_TAG, REPLACES_TAG, TARGET_TAG } from './tags';
import { NewHostName } from './vmSpec';

/** A new host of a batch; `existing` when an earlier run of this rollout already made its VM. */
export interface PlannedHost extends NewHostName {
  existing?: VmState;
  /** Its session host, when the existing VM's agent registered already. */
  sessionHost?: HostState;
}

export interface PlannedBatch {
  /** 1-based. */
  number: number;
  canary: boolean;
  /** The old hosts this batch replaces (each has a VM). */
  old: HostState[];
  /** One new host per old host, same order (`replaces` = the old VM's name). */
  create: PlannedHost[];
}

export interface RolloutPlan {
  pool: PoolState;
  target: TargetImage;
  /** The template the new hosts are made from, overrides applied. */
  template: HostTemplate;
  join: ResolvedJoin;
  adminUser: string;
  namePrefix: string;
  /** Resource group the new VMs go to. */
  vmResourceGroup: string;
  /** Hosts on the target image: never written to. */
  kept: HostState[];
  /** Session hosts whose VM does not exist: listed, left alone. */
  withoutVm: HostState[];
  /** VMs made for the target by an earlier run that pair with no old host and did not register. */
  strays: VmState[];
  batches: PlannedBatch[];
  /** gip.hostIndex once every new host exists (write it before creating a higher index). */
  highestIndex: number;
  oldHosts: OldHosts;
  /** The plan as PlanItems and as text (renderPlan). */
  items: PlanItem[];
  text: string;
}

/** Options of {@link planRollout}. */
export interface PlanOptions {
  pool: PoolState;
  target: TargetImage;
  /** Overrides already applied (vmSpec.applyOverrides). */
  template: HostTemplate;
  join: ResolvedJoin;
  adminUser: string;
  /** The reference host's session host name, for the default prefix (undefined: vmTemplate). */
  referenceHostName?: string;
  namePrefix?: string;
  vmResourceGroup?: string;
  batchSize: number;
  canary: number;
  oldHosts: OldHosts;
  /** Title's words on writing: `nothing is changed yet` for plan. */
  title?: string;
}

/** True when the plan replaces nothing: the run writes nothing at all. */
export function nothingToReplace(plan: RolloutPlan): boolean {
  return plan.batches.length === 0;
}

export function planRollout(o: PlanOptions): RolloutPlan {
  const { pool, target } = o;
  const hostCount = pool.hosts.length;
  if (o.batchSize > Math.max(hostCount, 1))
    throw new InputError(
      'batchSize',
      `${o.batchSize} is more than the ${hostCount} session host(s) of pool '${pool.name}'`,
      `a number from 1 to ${Math.max(hostCount, 1)}`,
    );
  const madeForTarget = (vm: VmState | undefined) => sameId(vm?.tags[TARGET_TAG], target.versionId);
  const withoutVm = pool.hosts.filter((h) => !h.vm);
  const onTarget = (h: HostState) => !!h.vm && sameId(h.vm.imageVersionId, target.versionId);
  const toReplace = pool.hosts.filter((h) => h.vm && !onTarget(h));
  const oldNames = new Set(toReplace.map((h) => h.vm!.name.toLowerCase()));

  // New VMs an earlier run made for this target, keyed by the old VM they replace.
  const pairs = new Map<string, { vm: VmState; host?: HostState }>();
  for (const h of pool.hosts)
    if (onTarget(h) && madeForTarget(h.vm) && oldNames.has(replacesOf(h.vm!)))
      pairs.set(replacesOf(h.vm!), { vm: h.vm!, host: h });
  const strays: VmState[] = [];
  for (const vm of pool.unregistered)
    if (madeForTarget(vm) && oldNames.has(replacesOf(vm))) pairs.set(replacesOf(vm), { vm });
    else strays.push(vm);
  const paired = new Set([...pairs.values()].map((p) => p.vm.id.toLowerCase()));
  const kept = pool.hosts.filter((h) => onTarget(h) && !paired.has(h.vm!.id.toLowerCase()));

  const inProgress = (h: HostState) =>
    pairs.has(h.vm!.name.toLowerCase()) || DRAINED_TAG in h.vm!.tags;
  const order = [...toReplace].sort(
    (a, b) =>
      Number(inProgress(b)) - Number(inProgress(a)) ||
      a.sessions - b.sessions ||
      a.name.localeCompare(b.name),
  );

  const prefix = o.namePrefix ?? defaultPrefix(o.referenceHostName, pool.vmTemplate);
  if (!prefix)
    throw new InputError(
      'namePrefix',
      `the pool's host names have no trailing index to continue from`,
      'a prefix for the new hosts’ names, e.g. avd-prod-',
    );
  const allNames = [
    ...pool.hosts.map((h) => h.vm?.name ?? h.name),
    ...pool.unregistered.map((v) => v.name),
  ];
  const highest = highestIndex(prefix, allNames, pool.hostIndex);
  const fresh = nextNames(
    prefix,
    highest,
    order.filter((h) => !pairs.has(h.vm!.name.toLowerCase())).length,
  );
  checkNameLength(
    prefix,
    fresh.map((n) => n.name),
  );

  const vmResourceGroup = o.vmResourceGroup ?? o.template.resourceGroup ?? pool.resourceGroup;
  const zones = zoneSpreader(
    o.template.zones,
    kept.map((h) => h.vm!),
  );
  let nextFresh = 0;
  const planned: PlannedHost[] = order.map((old) => {
    const pair = pairs.get(old.vm!.name.toLowerCase());
    if (pair) {
      zones.add(pair.vm.zones[0]);
      return {
        name: pair.vm.name,
        index: highestIndex(prefix, [pair.vm.name], 0),
        zone: pair.vm.zones[0],
        resourceGroup: pair.vm.resourceGroup,
        replaces: old.vm!.name,
        existing: pair.vm,
        sessionHost: pair.host,
      };
    }
    const n = fresh[nextFresh++];
    return {
      ...n,
      zone: zones.next(old.vm!.zones[0]),
      resourceGroup: vmResourceGroup,
      replaces: old.vm!.name,
    };
  });

  const canaryDone = kept.some((h) => madeForTarget(h.vm));
  const batches: PlannedBatch[] = [];
  let at = 0;
  const firstSize = Math.max(canaryDone ? o.batchSize : o.canary, order.filter(inProgress).length);
  while (at < order.length) {
    const size = batches.length === 0 ? firstSize : o.batchSize;
    batches.push({
      number: batches.length + 1,
      canary: batches.length === 0 && !canaryDone,
      old: order.slice(at, at + size),
      create: planned.slice(at, at + size),
    });
    at += size;
  }

  const plan: RolloutPlan = {
    pool,
    target,
    template: o.template,
    join: o.join,
    adminUser: o.adminUser,
    namePrefix: prefix,
    vmResourceGroup,
    kept,
    withoutVm,
    strays,
    batches,
    highestIndex: Math.max(highest, ...planned.map((p) => p.index)),
    oldHosts: o.oldHosts,
    items: [],
    text: '',
  };
  plan.items = planItems(plan);
  plan.text = renderPlan(
    `Plan for host pool ${pool.name} onto ${shortName(target.versionId)} ` +
      `(${o.title ?? 'nothing is changed yet'})`,
    plan.items,
  );
  return plan;
}

function replacesOf(vm: VmState): string {
  return (vm.tags[REPLACES_TAG] ?? '').toLowerCase();
}

/**
 * Assigns zones so the pool ends spread evenly over `zones`: each new host goes to the zone with
 * the fewest hosts among those that stay (`vms`, the kept hosts) and those placed so far (its old
 * host's zone on a tie).
 */
function zoneSpreader(zones: readonly string[], vms: readonly VmState[]) {
  const count = new Map(zones.map((z) => [z, 0]));
  const add = (zone: string | undefined) => {
    if (zone && count.has(zone)) count.set(zone, count.get(zone)! + 1);
  };
  vms.forEach((vm) => add(vm.zones[0]));
  return {
    add,
    next(preferred: string | undefined): string | undefined {
      if (!zones.length) return undefined;
      const min = Math.min(...count.values());
      const zone =
        preferred && count.get(preferred) === min
          ? preferred
          : zones.find((z) => count.get(z) === min)!;
      count.set(zone, count.get(zone)! + 1);
      return zone;
    },
  };
}

function planItems(plan: RolloutPlan): PlanItem[] {
  const version = shortName(plan.target.versionId);
  const items: PlanItem[] = plan.kept.map((h) => ({
    action: 'keep',
    target: `host ${h.name}`,
    reason: `already on ${version}`,
  }));
  for (const h of plan.withoutVm)
    items.push({
      action: 'keep',
      target: `host ${h.name}`,
      reason: 'its VM does not exist; left as it is',
    });
  for (const vm of plan.strays)
    items.push({
      action: 'keep',
      target: `VM ${vm.name}`,
      reason:
        'made by an earlier run, not a session host and replacing no host here; left as it is',
    });
  const t = plan.template;
  for (const b of plan.batches) {
    const label = `batch ${b.number}${b.canary ? ' (canary)' : ''}`;
    b.create.forEach((n, i) => {
      const old = b.old[i];
      if (n.existing)
        items.push({
          action: 'keep',
          target: `VM ${n.name}`,
          reason: `${label}: made by an earlier run for ${version}, replaces ${old.name}`,
        });
      else
        items.push({
          action: 'create',
          target: `VM ${n.name}${n.zone ? ` in zone ${n.zone}` : ''}`,
          reason: `${label}: replaces ${old.name}`,
          details: [
            `${t.vmSize}, ${version}, subnet ${shortName(t.subnetId)}` +
              `${t.securityType ? `, ${t.securityType}` : ''}`,
            (plan.join.type === 'entra'
              ? 'Microsoft Entra join'
              : `AD DS join to ${plan.join.domain}`) + ', AVD agent with a registration token',
          ],
        });
    });
    for (const old of b.old) {
      const image = old.vm?.imageVersionId ? shortName(old.vm.imageVersionId) : 'another image';
      const where = `${old.sessions} session(s), on ${image}`;
      const drained = old.vm && DRAINED_TAG in old.vm.tags ? 'drained already' : 'drained';
      items.push({
        action: plan.oldHosts === 'delete' ? 'delete' : 'update',
        target: `host ${old.name}`,
        reason: `${label}: ${where}`,
        details: [
          `${drained}, users messaged, signed out after drainTimeout, removed from the pool`,
          plan.oldHosts === 'delete'
            ? `VM ${old.vm!.name} deleted with its NIC and disks`
            : `VM ${old.vm!.name} deallocated and tagged gip.rollout.retired`,
        ],
      });
    }
  }
  if (t.otherExtensions.length)
    items.push({
      action: 'keep',
      target: `extensions ${t.otherExtensions.join(', ')} of ${t.source}`,
      reason: 'not copied to new hosts (policy or your template adds them)',
    });
  return items;
}
