/** What every step of an AttachGalleryToDevCenter run shares: clients, references, the run log. */
import type { ComputeManagementClient } from '@azure/arm-compute';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ArmClient } from '../azure/armClient';
import { describeArmError } from '../azure/armErrors';
import { AzureContext } from '../azure/clients';
import { galleryId } from '../azure/resourceIds';
import { computeClient } from '../azure/sdkClients';
import { Clock } from '../core/clock';
import { Logger } from '../core/logger';
import { PipelineInfo } from '../core/pipelineInfo';
import { RunContext } from '../core/runContext';
import { AttachParams } from './params';

/** What AttachGalleryToDevCenter's core is given (attachGallery.ts). */
export interface DevBoxRunOptions {
  /** The service connection's credential and client options. */
  azure: AzureContext;
  /** The task inputs, read and checked (params.ts). */
  params: AttachParams;
  log: Logger;
  /** Aborted when the pipeline cancels the task. */
  signal: AbortSignal;
  /** Pipeline, run and job of this run (summary links). */
  pipeline: PipelineInfo;
  /** Drives the waits (validation, role propagation) in tests; the system clock otherwise. */
  clock?: Clock;
}

export class DevBoxRun extends RunContext {
  readonly azure: AzureContext;
  readonly params: AttachParams;
  /** Every Microsoft.DevCenter call (no SDK): api-version DEVCENTER_API. */
  readonly arm: ArmClient;
  /** Compute in the gallery's subscription. */
  readonly compute: ComputeManagementClient;
  /** Role assignments on the gallery (addressed by scope, any subscription). */
  readonly auth: AuthorizationManagementClient;
  readonly devCenterId: string;
  readonly devCenterSubscription: string;
  readonly galleryId: string;
  readonly clock?: Clock;

  constructor(o: DevBoxRunOptions) {
    super({ log: o.log, signal: o.signal, pipeline: o.pipeline, describeError: describeArmError });
    const { azure, params } = o;
    this.azure = azure;
    this.params = params;
    this.clock = o.clock;
    this.arm = new ArmClient(azure, { pollIntervalMs: params.pollIntervalMs });
    this.compute = computeClient(azure, params.gallery.subscriptionId);
    this.auth = new AuthorizationManagementClient(
      azure.credential,
      params.gallery.subscriptionId,
      azure.clientOptions,
    );
    const dc = params.devCenter;
    this.devCenterSubscription = dc.subscriptionId ?? azure.subscriptionId;
    this.devCenterId =
      `/subscriptions/${this.devCenterSubscription}/resourceGroups/${dc.resourceGroup}` +
      `/providers/Microsoft.DevCenter/devcenters/${dc.name}`;
    this.galleryId = galleryId(params.gallery);
  }
}
