/**
 * AVD's session host update (preview api-version 2024-08-08-preview; the stable SDK has none of
 * it): the shapes this path reads and sends, as the spec defines them, the paths under the pool,
 * and the context every step of the path shares. Every call goes through the shared ArmClient.
 */
import { ArmClient } from '../../azure/armClient';
import { getOrUndefined } from '../../azure/notFound';
import { Clock } from '../../core/clock';
import { RunContext } from '../../core/runContext';
import { AVD_PREVIEW_API } from '../read/pool';

export { AVD_PREVIEW_API };

/** `imageInfo` of a session host configuration (ImageInfoProperties). */
export interface ImageInfo {
  type: 'Marketplace' | 'Custom';
  marketplaceInfo?: { publisher?: string; offer?: string; sku?: string; exactVersion?: string };
  customInfo?: { resourceId?: string };
}

/** `sessionHostConfigurations/default`: what new hosts are made from (the parts read here). */
export interface SessionHostConfiguration {
  id?: string;
  properties: {
    /** Time of the configuration's last change. */
    version?: string;
    provisioningState?: string;
    /** Where hosts are made; the pool's location when absent. */
    vmLocation?: string;
    vmNamePrefix?: string;
    imageInfo: ImageInfo;
  };
}

/** The settings of an update (HostPoolUpdateConfigurationPatchProperties). */
export interface UpdateSettings {
  deleteOriginalVm?: boolean;
  /** Hosts replaced at a time (at least 1). */
  maxVmsRemoved?: number;
  /** Minutes users get after the message before they are signed out. */
  logOffDelayMinutes?: number;
  /** Up to 260 characters. */
  logOffMessage?: string;
}

/** `sessionHostManagements/default`: the pool's saved update settings. */
export interface SessionHostManagement {
  properties: { scheduledDateTimeZone?: string; update?: UpdateSettings };
}

/** `sessionHostUpdateStatuses/default` (SessionHostManagementUpdateStatus). */
export interface UpdateStatus {
  id?: string;
  /** The update operation's name (a GUID per update). */
  name?: string;
  status: string;
  percentComplete?: number;
  startTime?: string;
  endTime?: string;
  error?: { code?: string; message?: string; details?: { code?: string; message?: string }[] };
  properties?: {
    correlationId?: string;
    progress?: UpdateProgress;
    scheduledDateTime?: string;
    sessionHostManagement?: SessionHostManagement;
  };
}

/** SessionHostManagementOperationProgress. */
export interface UpdateProgress {
  executionStartTime?: string;
  totalSessionHosts?: number;
  sessionHostsInProgress?: number;
  sessionHostsCompleted?: number;
  sessionHostsRollbackFailed?: number;
}

/** HostPoolUpdateControlParameter's actions. */
export type ControlAction = 'Start' | 'Pause' | 'Cancel' | 'Retry' | 'Resume';

/** The pool an Automated update works on. */
export interface AutomatedPoolRef {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
}

/** What every step of the Automated path shares. */
export interface AutomatedContext {
  /** Log, warnings (SucceededWithIssues) and the pipeline run. */
  run: RunContext;
  /** Cancels every call and wait: the run's, or a short one of its own after a cancel. */
  signal: AbortSignal;
  arm: ArmClient;
  pool: AutomatedPoolRef;
  /** `pollInterval`: between status reads, and between polls of a long-running operation. */
  pollIntervalMs: number;
  /** Every wait runs on it; tests drive it. */
  clock: Clock;
}

export const configurationPath = (poolId: string) => `${poolId}/sessionHostConfigurations/default`;
export const managementPath = (poolId: string) => `${poolId}/sessionHostManagements/default`;
export const statusPath = (poolId: string) =>
  `${managementPath(poolId)}/sessionHostUpdateStatuses/default`;

/** The pool's session host configuration (every Automated pool has one). */
export function readConfiguration(ctx: AutomatedContext): Promise<SessionHostConfiguration> {
  return ctx.arm.get(configurationPath(ctx.pool.id), AVD_PREVIEW_API, ctx.signal);
}

/** The pool's saved update settings; undefined when none were saved. */
export function readManagement(ctx: AutomatedContext): Promise<SessionHostManagement | undefined> {
  return getOrUndefined(() =>
    ctx.arm.get<SessionHostManagement>(managementPath(ctx.pool.id), AVD_PREVIEW_API, ctx.signal),
  );
}

/** The pool's last (or current) update; undefined when it never had one. */
export function readUpdateStatus(ctx: AutomatedContext): Promise<UpdateStatus | undefined> {
  return getOrUndefined(() =>
    ctx.arm.get<UpdateStatus>(statusPath(ctx.pool.id), AVD_PREVIEW_API, ctx.signal),
  );
}

/** The gallery image the configuration names (undefined for a marketplace image). */
export function configuredImage(c: SessionHostConfiguration): string | undefined {
  const info = c.properties.imageInfo;
  return /^custom$/i.test(info?.type ?? '') ? info.customInfo?.resourceId : undefined;
}

/** The configuration's image in words: a gallery id, or `marketplace publisher:offer:sku:ver`. */
export function describeImage(c: SessionHostConfiguration): string {
  const info = c.properties.imageInfo;
  const m = info?.marketplaceInfo;
  return (
    configuredImage(c) ??
    (m ? `marketplace ${m.publisher}:${m.offer}:${m.sku}:${m.exactVersion}` : 'no image')
  );
}
