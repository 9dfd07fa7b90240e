// AVD user sessions (Microsoft.DesktopVirtualization 2024-04-03): people signed in to session
// hosts. They come from the scenario (users sign in; clients can't create sessions), with an
// optional end: top-level `endsAfterMinutes` (nominal, from the scenario's start) or
// `endsMinutesAfterMessage` (nominal, after the session's first message); without either a session
// lasts until it is signed out. Messages, disconnects, sign-outs (DELETE) and ends are journaled
// with their times in `sim.userSessionJournal` (the state dump's `userSessionJournal`).
import { randomUUID } from 'crypto';
import { armErrors } from '../arm/errors';
import type { ResourceTypeDef, SimServices } from '../arm/framework';
import { removeResource } from '../arm/helpers';
import type { StoredResource } from '../arm/store';
import type { UserSessionEvent } from '../types';

export const USER_SESSION_TYPE =
  'Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions';

function nominalMinutes(sim: SimServices, at: number): number {
  const scale = sim.clock.timeScale > 0 ? sim.clock.timeScale : 1;
  return Math.round(((at - sim.startedAt) / scale / 60_000) * 1000) / 1000;
}

function journal(
  sim: SimServices,
  session: StoredResource,
  event: UserSessionEvent['event'],
  message?: { messageTitle?: string; messageBody?: string },
): void {
  const now = Date.now();
  // .../hostPools/{pool}/sessionHosts/{host}/userSessions/{id}
  const parts = session.id.split('/');
  sim.userSessionJournal.push({
    at: new Date(now).toISOString(),
    nominalMinutes: nominalMinutes(sim, now),
    hostPool: parts[parts.length - 5],
    sessionHost: parts[parts.length - 3],
    sessionId: session.name,
    userPrincipalName: String(session.properties?.userPrincipalName ?? ''),
    event,
    ...(message?.messageTitle !== undefined ? { messageTitle: message.messageTitle } : {}),
    ...(message?.messageBody !== undefined ? { messageBody: message.messageBody } : {}),
  });
}

/** Ends the session at a real time (it signs out by itself), unless it is gone by then. */
function endAt(sim: SimServices, session: StoredResource, at: number): void {
  const timer = setTimeout(
    () => {
      if (sim.store.get(session.id) !== session) return;
      journal(sim, session, 'ended');
      removeResource(sim, session.id);
    },
    Math.max(0, at - Date.now()),
  );
  timer.unref();
}

function nonNegative(v: unknown, key: string, id: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v >= 0))
    throw new Error(
      `scenario user session ${id}: "${key}" must be a number >= 0 (nominal minutes)`,
    );
  return v;
}

export const userSessionDef: ResourceTypeDef = {
  type: USER_SESSION_TYPE,
  apiVersions: ['2024-04-03', '2023-09-05', '2022-09-09'],
  provisioningState: false,
  patch: false,
  beforePut() {
    throw armErrors.methodNotAllowed('PUT');
  },
  seed(r) {
    r.properties = {
      objectId: randomUUID(),
      applicationType: 'Desktop',
      sessionState: 'Active',
      createTime: new Date().toISOString(),
      ...(r.properties ?? {}),
    };
    return r;
  },
  onStored(r, sim) {
    const after = nonNegative(r.endsAfterMinutes, 'endsAfterMinutes', r.id);
    const afterMessage = nonNegative(r.endsMinutesAfterMessage, 'endsMinutesAfterMessage', r.id);
    delete r.endsAfterMinutes;
    delete r.endsMinutesAfterMessage;
    if (after !== undefined) endAt(sim, r, sim.startedAt + sim.clock.scaled(after * 60_000));
    if (afterMessage !== undefined) sim.store.meta(r.id).endsMinutesAfterMessage = afterMessage;
  },
  beforeDelete(req, r) {
    journal(req.sim, r, 'signOut');
  },
  actions: {
    sendMessage: {
      run: (req, r) => {
        const body = req.body ?? {};
        journal(req.sim, r, 'message', {
          messageTitle: body.messageTitle,
          messageBody: body.messageBody,
        });
        const meta = req.sim.store.meta(r.id);
        if (meta.endsMinutesAfterMessage !== undefined && meta.firstMessageAt === undefined) {
          meta.firstMessageAt = Date.now();
          endAt(
            req.sim,
            r,
            meta.firstMessageAt + req.sim.clock.scaled(meta.endsMinutesAfterMessage * 60_000),
          );
        }
        return { status: 200 };
      },
    },
    disconnect: {
      run: (req, r) => {
        r.properties.sessionState = 'Disconnected';
        journal(req.sim, r, 'disconnect');
        return { status: 200 };
      },
    },
  },
};
