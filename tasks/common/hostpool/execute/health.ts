/**
 * The health gate: wait until every new host of a batch is an `Available` session host whose health
 * checks pass. One read of the pool's session host list per poll serves the whole batch. A status
 * that does not become Available by itself fails at once; otherwise the wait ends at
 * `healthTimeout`. The error names each host that failed, its status and the failing health check.
 */
import type { SessionHost } from '@azure/arm-desktopvirtualization';
import { formatDuration } from '../../core/duration';
import { poll } from '../../core/poll';
import { ExecContext, hostName, sameId, vmRef } from './context';

/** Statuses a host does not leave without someone's help. */
const STUCK = new Set(
  [
    'UpgradeFailed',
    'NeedsAssistance',
    'NotJoinedToDomain',
    'DomainTrustRelationshipLost',
    'FSLogixNotHealthy',
  ].map((s) => s.toLowerCase()),
);

export interface WaitHealthyOptions {
  ctx: ExecContext;
  /** The new hosts' VM ids (matched to session hosts by `properties.resourceId`). */
  vmIds: string[];
  timeoutMs: number;
  /** Called at each poll (the lease's renewal). */
  heartbeat?: () => Promise<void>;
}

export interface WaitHealthyResult {
  /** The batch's session hosts, all Available and healthy, in `vmIds` order. */
  hosts: SessionHost[];
  elapsedMs: number;
}

/** One new host that failed the gate: its VM, session host (if registered), status and check. */
export interface UnhealthyHost {
  vmId: string;
  sessionHost?: string;
  status: string;
  /** The failing health check, with its message. */
  check?: string;
}

/** The batch failed the health gate. */
export class HealthGateError extends Error {
  constructor(
    readonly hosts: UnhealthyHost[],
    why: string,
  ) {
    super(
      `${why}: ${hosts
        .map(
          (h) =>
            `${h.sessionHost ?? vmRef(h.vmId).name} is ${h.status}` +
            (h.check ? ` (health check ${h.check})` : ''),
        )
        .join('; ')}.`,
    );
    this.name = 'HealthGateError';
  }
}

/** The first failing health check of a host, as `Name: message`. */
function failingCheck(host: SessionHost): string | undefined {
  const failed = host.sessionHostHealthCheckResults?.find(
    (c) => c.healthCheckResult === 'HealthCheckFailed',
  );
  if (!failed) return undefined;
  const message = failed.additionalFailureDetails?.message;
  return `${failed.healthCheckName ?? 'unnamed'}${message ? `: ${message}` : ''}`;
}

function healthy(host: SessionHost | undefined): boolean {
  return host?.status === 'Available' && !failingCheck(host);
}

function describe(vmId: string, host: SessionHost | undefined): UnhealthyHost {
  if (!host) return { vmId, status: 'not registered in the pool yet' };
  return {
    vmId,
    sessionHost: hostName(host.name ?? ''),
    status: host.status ?? 'Unknown',
    check: failingCheck(host),
  };
}

/** Waits until every new host is Available and healthy, or throws HealthGateError. */
export async function waitHealthy(o: WaitHealthyOptions): Promise<WaitHealthyResult> {
  const { ctx } = o;
  const seen = new Map<string, string>();
  let lastLine = -Infinity;
  const read = async (elapsedMs: number) => {
    await o.heartbeat?.();
    const all: SessionHost[] = [];
    for await (const h of ctx.avd.sessionHosts.list(ctx.pool.resourceGroup, ctx.pool.name, {
      abortSignal: ctx.signal,
    }))
      all.push(h);
    const hosts = o.vmIds.map((id) => all.find((h) => sameId(h.resourceId, id)));
    const states = o.vmIds.map((id, i) => describe(id, hosts[i]));
    for (const s of states) {
      const line = `${s.status}${s.check ? ` (${s.check})` : ''}`;
      if (seen.get(s.vmId) !== line) {
        seen.set(s.vmId, line);
        ctx.run.log.info(`${s.sessionHost ?? vmRef(s.vmId).name}: ${line}.`);
      }
    }
    const stuck = states.filter((s) => STUCK.has(s.status.toLowerCase()));
    if (stuck.length) throw new HealthGateError(stuck, 'A new session host cannot become healthy');
    if (elapsedMs - lastLine >= 5 * 60_000) {
      lastLine = elapsedMs;
      const ready = hosts.filter(healthy).length;
      ctx.run.log.info(
        `Health gate: ${ready} of ${hosts.length} new hosts Available and healthy ` +
          `(${formatDuration(elapsedMs)} of ${formatDuration(o.timeoutMs)}).`,
      );
    }
    return { hosts, states };
  };
  const r = await poll({
    read: ({ elapsedMs }) => read(elapsedMs),
    done: (v) => v.hosts.every(healthy),
    intervalMs: ctx.pollIntervalMs,
    timeoutMs: o.timeoutMs,
    signal: ctx.signal,
    clock: ctx.clock,
  });
  if (!r.done)
    throw new HealthGateError(
      r.value.states.filter((_s, i) => !healthy(r.value.hosts[i])),
      `Not Available and healthy within healthTimeout (${formatDuration(o.timeoutMs)})`,
    );
  return { hosts: r.value.hosts as SessionHost[], elapsedMs: r.elapsedMs };
}
