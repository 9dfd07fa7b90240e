/**
 * Start or follow: one update per pool at a time, so a run first looks at the pool's update. One
 * in progress for the same image is followed (a rerun, a second job), resumed when Paused, retried
 * after an Error; one for another image is refused naming it. Otherwise the configuration is
 * pointed at the image (when it names another) and a new update is started with the run's
 * settings; a pool whose hosts all run the image already is left as it is.
 */
import type { RestError } from '@azure/core-rest-pipeline';
import { sameId, shortName } from '../../azure/resourceIds';
import {
  AutomatedContext,
  AVD_PREVIEW_API,
  configuredImage,
  configurationPath,
  describeImage,
  managementPath,
  readConfiguration,
  readUpdateStatus,
  UpdateSettings,
  UpdateStatus,
} from './api';
import { controlUpdate } from './control';
import { describeProgress, isActive, phaseOf } from './status';

/**
 * - `start`: a new update (`configure`: the configuration names another image first).
 * - `follow` / `resume` / `retry`: the update in progress for this image.
 * - `done`: no update in progress and every host runs the image: nothing to write.
 */
export type StartDecision =
  | { kind: 'start'; configure: boolean }
  | { kind: 'follow' | 'resume' | 'retry'; status: UpdateStatus }
  | { kind: 'done' };

/** What {@link decideStart} looks at. */
export interface DecideStartOptions {
  pool: string;
  /** The pool's update as read; undefined when it never had one. */
  status?: UpdateStatus;
  /** The gallery image the configuration names (undefined: a marketplace image). */
  configured?: string;
  /** The configuration's image in words, for the refusal. */
  configuredText: string;
  /** The image version this run rolls out. */
  target: string;
  /** Whether every session host's VM runs the target already. */
  allOnTarget: boolean;
}

export function decideStart(o: DecideStartOptions): StartDecision {
  const sameImage = sameId(o.configured, o.target);
  if (o.status && isActive(o.status)) {
    if (!sameImage)
      throw new Error(
        `A session host update of ${o.pool} onto ${o.configuredText} is in progress ` +
          `(${describeProgress(o.status, false)}); Azure runs one update per pool at a time, ` +
          `so this run does not start one onto ${shortName(o.target)}. Let it end, or cancel ` +
          'it with action: abort, then run this again.',
      );
    const phase = phaseOf(o.status.status);
    const kind = phase === 'paused' ? 'resume' : phase === 'error' ? 'retry' : 'follow';
    return { kind, status: o.status };
  }
  if (sameImage && o.allOnTarget) return { kind: 'done' };
  return { kind: 'start', configure: !sameImage };
}

/** What the decision sends, in words (the plan's and the log's). */
export function describeDecision(d: StartDecision): string {
  switch (d.kind) {
    case 'start':
      return 'start a new session host update';
    case 'follow':
      return `follow the update in progress (${describeProgress(d.status)}), not start another`;
    case 'resume':
      return `resume the Paused update (${describeProgress(d.status)})`;
    case 'retry':
      return `retry the update stopped in Error (${describeProgress(d.status)})`;
    case 'done':
      return 'nothing: every host runs the image';
  }
}

/** Options of {@link applyDecision}. */
export interface ApplyDecisionOptions {
  ctx: AutomatedContext;
  decision: StartDecision;
  /** The image version id the configuration is pointed at. */
  target: string;
  /** The `update` body: only what the run gives. */
  settings: UpdateSettings;
  /** Told just before initiateSessionHostUpdate is sent (from then on a cancel has an update). */
  onInitiate: () => void;
}

/**
 * Sends what the decision needs (following is followUpdate's) and returns the decision carried
 * out. Another job may start the pool's update between this run's reads and its writes: Azure
 * answers 409 Conflict, and that update is read and taken as this run's (followed, resumed or
 * retried) when it is for the same image.
 */
export async function applyDecision(o: ApplyDecisionOptions): Promise<StartDecision> {
  try {
    await send(o);
    return o.decision;
  } catch (err) {
    if (o.decision.kind !== 'start' || (err as RestError).statusCode !== 409) throw err;
    const { ctx } = o;
    const status = await readUpdateStatus(ctx);
    if (!isActive(status)) throw err;
    const configuration = await readConfiguration(ctx);
    const joined = decideStart({
      pool: ctx.pool.name,
      status,
      configured: configuredImage(configuration),
      configuredText: describeImage(configuration),
      target: o.target,
      allOnTarget: false,
    });
    await send({ ...o, decision: joined });
    return joined;
  }
}

async function send(o: ApplyDecisionOptions): Promise<void> {
  const { ctx, decision: d } = o;
  const poolId = ctx.pool.id;
  switch (d.kind) {
    case 'start':
      if (d.configure) {
        ctx.run.log.info(`Setting the session host configuration's image to ${o.target}.`);
        await ctx.arm.patch(
          configurationPath(poolId),
          AVD_PREVIEW_API,
          { properties: { imageInfo: { type: 'Custom', customInfo: { resourceId: o.target } } } },
          ctx.signal,
        );
      }
      ctx.run.log.info(`Starting Azure's session host update of ${ctx.pool.name}.`);
      o.onInitiate();
      await ctx.arm.post(
        `${managementPath(poolId)}/initiateSessionHostUpdate`,
        AVD_PREVIEW_API,
        Object.keys(o.settings).length ? { update: o.settings } : {},
        ctx.signal,
      );
      return;
    case 'resume':
      ctx.run.log.info(`Resuming the Paused session host update of ${ctx.pool.name}.`);
      return controlUpdate(ctx, { action: 'Resume' });
    case 'retry':
      ctx.run.log.info(`Retrying the session host update of ${ctx.pool.name} (it was in Error).`);
      return controlUpdate(ctx, { action: 'Retry' });
    case 'follow':
      ctx.run.log.info(
        `A session host update of ${ctx.pool.name} onto this image is in progress ` +
          `(${describeProgress(d.status)}): following it, not starting another.`,
      );
      return;
    case 'done':
      return;
  }
}
