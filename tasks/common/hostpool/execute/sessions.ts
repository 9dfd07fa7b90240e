/**
 * Waiting for the users of drained hosts. Signed-in users are messaged when their host is drained
 * and again `logOffWarning` before the drain timeout; a session has ended when it is gone from the
 * host's user sessions (a Disconnected session still holds its user's work). The timeout counts
 * from the drain's start (the VM's drained tag), so a resumed run does not restart it. At the
 * timeout, `afterDrainTimeout` signs the rest out; `never` leaves the host drained for the next
 * run, and the run ends SucceededWithIssues naming it. One user-session list of the pool per poll
 * serves every host; the log says which hosts wait, for how many sessions and how long, once a
 * minute at most unless something changes.
 */
import type { UserSession } from '@azure/arm-desktopvirtualization';
import { isNotFound } from '../../azure/notFound';
import { formatDuration } from '../../core/duration';
import { poll } from '../../core/poll';
import { ExecContext } from './context';
import { DrainedHost } from './drain';

export type ForceLogOff = 'afterDrainTimeout' | 'never';

export interface WaitSessionsOptions {
  ctx: ExecContext;
  /** The batch's drained hosts (hosts with nothing to drain are done at once). */
  hosts: DrainedHost[];
  /** The whole time sessions get to end by themselves, from each host's drain start. */
  drainTimeoutMs: number;
  /** The second message goes this long before the drain timeout. */
  logOffWarningMs: number;
  /** Sent to signed-in users; empty: no message. */
  logOffMessage: string;
  forceLogOff: ForceLogOff;
  /** Called at each poll (the lease's renewal). */
  heartbeat?: () => Promise<void>;
}

export interface WaitSessionsResult {
  /** Hosts whose sessions all ended by themselves (or had none). */
  ended: string[];
  /** Hosts whose remaining users were signed out at the drain timeout. */
  signedOut: { host: string; users: string[] }[];
  /** Hosts still drained with sessions (`forceLogOff: never`): the next run finishes them. */
  leftDrained: { host: string; sessions: number }[];
  /** Messages sent. */
  messages: number;
}

const MESSAGE_TITLE = 'This session host is being replaced';
const LINE_EVERY_MS = 60_000;

interface Tracked {
  drained: DrainedHost;
  deadline: number;
  warnAt: number;
  warned: boolean;
  sessions: number;
  outcome?: 'ended' | 'signedOut' | 'leftDrained';
}

/** Waits for the drained hosts' sessions to end, messaging and signing out as configured. */
export async function waitSessionsEnd(o: WaitSessionsOptions): Promise<WaitSessionsResult> {
  const { ctx } = o;
  const result: WaitSessionsResult = { ended: [], signedOut: [], leftDrained: [], messages: 0 };
  const tracked: Tracked[] = o.hosts.map((d) => {
    const deadline = (d.drainedAt ?? 0) + o.drainTimeoutMs;
    return {
      drained: d,
      deadline,
      warnAt: deadline - o.logOffWarningMs,
      // A resumed drain inside its warning time warns again: better twice than never.
      warned: false,
      sessions: d.host.sessions,
    };
  });
  for (const t of tracked) if (t.drained.drainedAt === undefined) finish(t, 'ended');
  let lastLine = -Infinity;
  let firstPoll = true;

  function finish(t: Tracked, outcome: NonNullable<Tracked['outcome']>) {
    t.outcome = outcome;
    if (outcome === 'ended') result.ended.push(t.drained.host.name);
  }

  const send = async (t: Tracked, sessions: UserSession[], body: string) => {
    for (const s of sessions) {
      try {
        await ctx.avd.userSessions.sendMessage(
          ctx.pool.resourceGroup,
          ctx.pool.name,
          t.drained.host.name,
          sessionId(s),
          {
            sendMessage: { messageTitle: MESSAGE_TITLE, messageBody: body },
            abortSignal: ctx.signal,
          },
        );
        result.messages++;
      } catch (err) {
        if (!isNotFound(err)) throw err; // the session ended meanwhile
      }
    }
  };

  const step = async (retryAfter: (s: number) => void) => {
    await o.heartbeat?.();
    const open = tracked.filter((t) => !t.outcome);
    if (!open.length) return;
    const byHost = await sessionsByHost(ctx);
    const now = ctx.clock.now();
    for (const t of open) {
      const name = t.drained.host.name;
      const sessions = byHost.get(name.toLowerCase()) ?? [];
      if (sessions.length !== t.sessions)
        ctx.run.log.info(`${name}: ${sessions.length} session(s) left.`);
      t.sessions = sessions.length;
      if (!sessions.length) {
        finish(t, 'ended');
        continue;
      }
      if (firstPoll && t.drained.fresh && o.logOffMessage) await send(t, sessions, o.logOffMessage);
      if (now >= t.deadline) {
        await atTimeout(t, sessions);
        continue;
      }
      if (!t.warned && now >= t.warnAt && t.warnAt > (t.drained.drainedAt ?? 0)) {
        t.warned = true;
        if (o.logOffMessage) await send(t, sessions, warning(o, t.deadline));
      }
    }
    firstPoll = false;
    const waiting = tracked.filter((t) => !t.outcome);
    if (waiting.length && now - lastLine >= LINE_EVERY_MS) {
      lastLine = now;
      ctx.run.log.info(
        'Waiting for sessions to end: ' +
          waiting
            .map(
              (t) =>
                `${t.drained.host.name} ${t.sessions} session(s), ` +
                `${formatDuration(Math.max(0, t.deadline - now))} left`,
            )
            .join('; '),
      );
    }
    // Wake for the next message or deadline if it comes before the next poll.
    const next = Math.min(
      ...waiting.map((t) => (!t.warned && t.warnAt > now ? t.warnAt : t.deadline)),
    );
    if (waiting.length && next - now < ctx.pollIntervalMs)
      retryAfter(Math.max(0.05, (next - now) / 1000));
  };

  async function atTimeout(t: Tracked, sessions: UserSession[]) {
    const name = t.drained.host.name;
    const users = sessions.map((s) => s.userPrincipalName ?? sessionId(s));
    if (o.forceLogOff === 'never') {
      t.outcome = 'leftDrained';
      result.leftDrained.push({ host: name, sessions: sessions.length });
      ctx.run.warn(
        `${name}: drainTimeout reached with ${sessions.length} session(s) ` +
          `(${users.join(', ')}); forceLogOff is never, so the host stays drained and the next ` +
          'run finishes it.',
      );
      return;
    }
    ctx.run.log.warn(
      `${name}: drainTimeout (${formatDuration(o.drainTimeoutMs)}) reached; signing out ` +
        `${users.join(', ')}.`,
    );
    for (const s of sessions) {
      try {
        await ctx.avd.userSessions.delete(
          ctx.pool.resourceGroup,
          ctx.pool.name,
          name,
          sessionId(s),
          {
            force: true,
            abortSignal: ctx.signal,
          },
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    t.outcome = 'signedOut';
    result.signedOut.push({ host: name, users });
  }

  await poll({
    read: ({ retryAfter }) => step(retryAfter),
    done: () => tracked.every((t) => t.outcome),
    intervalMs: ctx.pollIntervalMs,
    signal: ctx.signal,
    clock: ctx.clock,
  });
  return result;
}

function warning(o: WaitSessionsOptions, deadline: number): string {
  return o.forceLogOff === 'afterDrainTimeout'
    ? `${o.logOffMessage} You will be signed out at ${new Date(deadline).toISOString()} ` +
        `(in ${formatDuration(o.logOffWarningMs)}).`
    : o.logOffMessage;
}

/** Host and session id of a user session, from its id (`.../sessionHosts/h/userSessions/1`). */
function partsOf(s: UserSession): { host: string; id: string } {
  const m = /\/sessionHosts\/([^/]+)\/userSessions\/([^/]+)$/i.exec(s.id ?? '');
  const parts = (s.name ?? '').split('/');
  return m
    ? { host: decodeURIComponent(m[1]), id: decodeURIComponent(m[2]) }
    : { host: parts[1] ?? '', id: parts[2] ?? '' };
}

const sessionId = (s: UserSession) => partsOf(s).id;

/** The pool's user sessions by host name (lower case): one paged list for every host. */
async function sessionsByHost(ctx: ExecContext): Promise<Map<string, UserSession[]>> {
  const map = new Map<string, UserSession[]>();
  for await (const s of ctx.avd.userSessions.listByHostPool(ctx.pool.resourceGroup, ctx.pool.name, {
    abortSignal: ctx.signal,
  })) {
    const host = partsOf(s).host.toLowerCase();
    map.set(host, [...(map.get(host) ?? []), s]);
  }
  return map;
}
