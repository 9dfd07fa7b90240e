// Long-running operations. A type's PUT/PATCH/DELETE or action starts an Operation whose work is an
// async function; clients poll a status URL (Azure-AsyncOperation) or a result URL (Location) until
// it reaches Succeeded, Failed or Canceled. Retry-After is in whole seconds, scaled by the
// scenario's timeScale.
import { randomUUID } from 'crypto';
import { ArmError } from './errors';
import type { SimClock } from '../core/clock';

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface LroStyle {
  /**
   * Which header the initial response carries (spec: x-ms-long-running-operation-options / service
   * behaviour).
   */
  header: 'Azure-AsyncOperation' | 'Location' | 'both';
  /**
   * Initial status code; default 201 (create) / 200 (update) for PUT with Azure-AsyncOperation,
   * else 202.
   */
  status?: 200 | 201 | 202;
  /**
   * Path segment of the status URL: .../locations/{l}/{segment}/{id}. Default operationStatuses
   * (async) / operationResults (location).
   */
  asyncSegment?: string;
  locationSegment?: string;
  /** Nominal Retry-After in seconds; default 15. */
  retryAfterSeconds?: number;
  /** Nominal duration of the default work (provisioning or deletion) in ms; default 20 s. */
  durationMs?: number;
}

export interface OperationHandle {
  readonly id: string;
  readonly signal: AbortSignal;
  readonly clock: SimClock;
  /** Reported in the status body while in progress. */
  setPercentComplete(p: number): void;
}

export interface Operation extends OperationHandle {
  status: OperationStatus;
  kind: 'put' | 'patch' | 'delete' | 'action';
  resourceId: string;
  style: LroStyle;
  startTime: string;
  endTime?: string;
  error?: ArmError;
  /** Body of the final Location response for actions. */
  result?: unknown;
  percentComplete?: number;
  asyncUrlPath?: string;
  locationUrlPath?: string;
  apiVersion: string;
  /** Resolves when the operation reaches a terminal status. */
  settled: Promise<void>;
  /** Stops the work and marks the operation Canceled. */
  cancel(): void;
}

export interface StartOperation {
  kind: Operation['kind'];
  resourceId: string;
  namespace: string;
  location: string;
  subscriptionId: string;
  apiVersion: string;
  style: LroStyle;
  /** The work. Resolve = Succeeded (value = action result); throw ArmError = Failed. */
  run: (op: OperationHandle) => Promise<unknown>;
  /** Called once with the terminal status (e.g. to set provisioningState). */
  onSettled?: (op: Operation) => void;
}

export class Operations {
  private readonly byPath = new Map<string, Operation>();
  private readonly byId = new Map<string, Operation>();

  constructor(private readonly clock: SimClock) {}

  start(s: StartOperation): Operation {
    const id = randomUUID();
    const controller = new AbortController();
    let resolveSettled!: () => void;
    const settled = new Promise<void>((r) => (resolveSettled = r));
    const base =
      `/subscriptions/${s.subscriptionId}/providers/${s.namespace}/locations/` +
      `${s.location || 'global'}`;
    const op: Operation = {
      id,
      signal: controller.signal,
      clock: this.clock,
      status: 'InProgress',
      kind: s.kind,
      resourceId: s.resourceId,
      style: s.style,
      startTime: new Date().toISOString(),
      apiVersion: s.apiVersion,
      settled,
      setPercentComplete: (p) => (op.percentComplete = p),
      cancel: () => finish('Canceled'),
    };
    const finish = (status: OperationStatus, value?: unknown, error?: ArmError): void => {
      if (op.status !== 'InProgress') return;
      op.status = status;
      op.endTime = new Date().toISOString();
      if (status === 'Succeeded') op.result = value;
      if (error) op.error = error;
      if (status === 'Canceled')
        controller.abort(new ArmError(409, 'OperationCanceled', 'The operation was canceled.'));
      s.onSettled?.(op);
      resolveSettled();
    };
    if (s.style.header !== 'Location')
      op.asyncUrlPath = `${base}/${s.style.asyncSegment ?? 'operationStatuses'}/${id}`;
    if (s.style.header !== 'Azure-AsyncOperation')
      op.locationUrlPath = `${base}/${s.style.locationSegment ?? 'operationResults'}/${id}`;
    for (const p of [op.asyncUrlPath, op.locationUrlPath])
      if (p) this.byPath.set(p.toLowerCase(), op);
    this.byId.set(id, op);
    // Start on the next tick so the initial response is written before any state changes.
    setImmediate(() => {
      s.run(op).then(
        (v) => finish('Succeeded', v),
        (e) =>
          finish(
            'Failed',
            undefined,
            e instanceof ArmError
              ? e
              : new ArmError(500, 'InternalServerError', String(e?.message ?? e)),
          ),
      );
    });
    return op;
  }

  byStatusPath(path: string): Operation | undefined {
    return this.byPath.get(path.toLowerCase());
  }

  /** Operations still running, e.g. to cancel an image build. */
  running(resourceId?: string): Operation[] {
    return [...this.byId.values()].filter(
      (o) =>
        o.status === 'InProgress' &&
        (resourceId === undefined || o.resourceId.toLowerCase() === resourceId.toLowerCase()),
    );
  }

  retryAfter(op: Operation): number {
    return this.clock.retryAfterSeconds(op.style.retryAfterSeconds ?? 15);
  }

  /** Cancels every running operation (used at stop, so no work outlives the simulator). */
  drain(): void {
    for (const op of this.running()) op.cancel();
  }
}
