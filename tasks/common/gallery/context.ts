/** What every step of a DistributeToGallery run shares, and the regions every action checks. */
import type { ComputeManagementClient } from '@azure/arm-compute';
import { AzureContext } from '../azure/clients';
import { describeArmError } from '../azure/armErrors';
import { InputError } from '../core/errors';
import { RunContext } from '../core/runContext';
import { Logger } from '../core/logger';
import { PipelineInfo } from '../core/pipelineInfo';
import { ArmClient } from '../azure/armClient';
import { computeClient } from '../azure/sdkClients';
import { DistributeParams } from './params';
import { AzureLocation, RegionSpec, resolveRegions } from './regions';
import { DefinitionRef } from '../azure/resourceIds';

/** A DistributeToGallery run: the shared run context plus the image definition and its clients. */
export class GalleryRun extends RunContext {
  readonly azure: AzureContext;
  readonly params: DistributeParams;
  /** The image definition, with the subscription resolved. */
  readonly ref: DefinitionRef;
  /** Compute client for the gallery's subscription. */
  readonly compute: ComputeManagementClient;
  readonly arm: ArmClient;
  /** Options for every long-running call. */
  readonly lro: { abortSignal: AbortSignal; updateIntervalInMs: number };

  constructor(
    azure: AzureContext,
    params: DistributeParams,
    log: Logger,
    signal: AbortSignal,
    pipeline: PipelineInfo,
  ) {
    super({ log, signal, pipeline, describeError: describeArmError });
    const subscriptionId = params.target.subscriptionId ?? azure.subscriptionId;
    this.azure = azure;
    this.params = params;
    this.ref = {
      subscriptionId,
      resourceGroup: params.target.resourceGroup,
      gallery: params.target.gallery,
      definition: params.target.definition,
    };
    this.compute = computeClient(azure, subscriptionId);
    this.arm = new ArmClient(azure, { pollIntervalMs: params.pollIntervalMs });
    this.lro = { abortSignal: signal, updateIntervalInMs: params.pollIntervalMs };
  }
}

/**
 * The subscription's physical regions. When they can't be listed the run goes on with the names as
 * typed (Compute then judges them) and says so.
 */
export async function loadLocations(run: GalleryRun): Promise<AzureLocation[]> {
  try {
    const all = await run.arm.list<{
      name: string;
      displayName: string;
      metadata?: { regionType?: string };
    }>(`/subscriptions/${run.ref.subscriptionId}/locations`, '2022-12-01', run.signal);
    return all
      .filter((l) => !/^logical$/i.test(l.metadata?.regionType ?? ''))
      .map((l) => ({ name: l.name, displayName: l.displayName }));
  } catch (err) {
    if (run.signal.aborted) throw err;
    run.log.warn(
      `Could not list the regions of subscription ${run.ref.subscriptionId} to check ` +
        `region names (${describeArmError(err)}); they are used as given.`,
    );
    return [];
  }
}

/** Canonical region names, or an InputError listing the unknown ones with suggestions. */
export function resolveOrFail(
  specs: RegionSpec[],
  locations: AzureLocation[],
  input: string,
): RegionSpec[] {
  if (locations.length === 0)
    return specs.map((s) => ({ ...s, region: s.region.toLowerCase().replace(/[\s_-]+/g, '') }));
  const { resolved, unknown } = resolveRegions(specs, locations);
  if (unknown.length > 0) {
    const list = unknown
      .map(
        (u) =>
          `'${u.given}'` +
          `${u.suggestions.length ? ` (did you mean ${u.suggestions.join(', ')}?)` : ''}`,
      )
      .join(', ');
    throw new InputError(
      input,
      `${unknown.length === 1 ? 'this region is' : 'these regions are'} not offered to the ` +
        `subscription: ${list}`,
      'region names as `az account list-locations -o table` shows them, e.g. westeurope',
    );
  }
  return resolved;
}
