/**
 * Writing an image version and waiting for it: the PUT starts the operation, then one GET with
 * `$expand=ReplicationStatus` per poll follows every region until all are done, one failed, the
 * timeout passed, or the pipeline was cancelled.
 */
import type { GalleryImageVersion } from '@azure/arm-compute';
import { describeArmError } from '../azure/armErrors';
import { formatDuration } from '../core/duration';
import { GalleryRun } from './context';
import { AzureLocation } from './regions';
import {
  describeRegions,
  RegionState,
  regionStates,
  waitForReplication,
  WaitResult,
} from './replication';

export interface VersionWrite {
  /** Follows the PUT's operation to its end and returns its error in words, if it failed. */
  operationError(): Promise<string | undefined>;
}

/** Sends the PUT and returns once Azure accepted it (the replication then runs in Azure). */
export async function putVersion(
  run: GalleryRun,
  name: string,
  body: GalleryImageVersion,
): Promise<VersionWrite> {
  const { ref, compute, lro } = run;
  const poller = compute.galleryImageVersions.createOrUpdate(
    ref.resourceGroup,
    ref.gallery,
    ref.definition,
    name,
    body,
    lro,
  );
  await run.step(`Writing image version ${name}`, () => poller.submitted());
  return {
    // Read only if the version fails without a region saying why.
    operationError: () =>
      poller.pollUntilDone({ abortSignal: run.signal }).then(
        () => undefined,
        (err) => describeArmError(err),
      ),
  };
}

export async function deleteVersion(run: GalleryRun, name: string): Promise<void> {
  const { ref, compute, lro } = run;
  await run.step(`Deleting image version ${name}`, () =>
    compute.galleryImageVersions.delete(ref.resourceGroup, ref.gallery, ref.definition, name, lro),
  );
}

export interface ReplicationReport {
  outcome: WaitResult['outcome'] | 'not waited';
  regions: RegionState[];
  /** The failure, or the timeout, in one sentence. */
  problem?: string;
}

/** Waits (when asked) and judges the result: a failed region fails the run unless tolerated. */
export async function followReplication(
  run: GalleryRun,
  name: string,
  locations: AzureLocation[],
  write?: VersionWrite,
): Promise<ReplicationReport> {
  const { ref, compute, params, log, signal } = run;
  const fetch = (onRetryAfter: (s: number) => void) =>
    compute.galleryImageVersions.get(ref.resourceGroup, ref.gallery, ref.definition, name, {
      expand: 'ReplicationStatus',
      abortSignal: signal,
      onResponse: (r) => {
        const after = r.headers.get('retry-after');
        if (after && /^\d+$/.test(after)) onRetryAfter(Number(after));
      },
    });
  if (!params.wait) {
    const v = await fetch(() => undefined);
    const regions = regionStates(v, locations);
    log.info(
      `Not waiting for replication (waitForReplication is false): ${describeRegions(regions)}.`,
    );
    return { outcome: 'not waited', regions };
  }
  log.info(
    `Waiting for replication to finish (up to ${formatDuration(params.timeoutMs)}); one ` +
      `status read every ${formatDuration(params.pollIntervalMs)}...`,
  );
  if (run.pipeline.hostedAgent && params.timeoutMs > 50 * 60_000) {
    log.info(
      'Microsoft-hosted agents stop a job after 60 minutes on private projects. If ' +
        'replication may take longer, set waitForReplication: false here ' +
        ('and wait in a later job with action: replicate (each job has its own time limit); ' +
          'nothing is published twice.'),
    );
  }
  let result: WaitResult;
  try {
    result = await waitForReplication({
      fetch,
      locations,
      timeoutMs: params.timeoutMs,
      pollIntervalMs: params.pollIntervalMs,
      log,
      signal,
      label: `Replicating ${name}`,
    });
  } catch (err) {
    if (signal.aborted)
      log.warn(
        `Stopped waiting for version ${name}: the pipeline was cancelled. Replication goes ` +
          `on in Azure; running this job again picks it up without publishing twice.`,
      );
    throw err;
  }
  const failed = result.regions.filter((r) => /^failed$/i.test(r.state));
  if (result.outcome === 'completed') {
    log.info(
      `Version ${name} is replicated to ${result.regions.length} region(s): ` +
        `${result.regions.map((r) => r.region).join(', ')}.`,
    );
    return { outcome: 'completed', regions: result.regions };
  }
  if (result.outcome === 'timeout') {
    return {
      outcome: 'timeout',
      regions: result.regions,
      problem:
        `Replication of version ${name} did not finish within ` +
        `${formatDuration(params.timeoutMs)} (${describeRegions(result.regions)}). ` +
        ('It goes on in Azure; run this job again to wait for it (nothing is published ' +
          'twice), or raise replicationTimeout.'),
    };
  }
  if (failed.length === 0) {
    // Failed as a whole with no region to blame: the operation's error says why.
    let why = `its provisioning state is ${result.provisioningState}`;
    why = (await write?.operationError()) ?? why;
    return {
      outcome: 'failed',
      regions: result.regions,
      problem: `Publishing version ${name} of ${ref.definition} failed: ${why}`,
    };
  }
  const problem =
    `Replication of version ${name} failed in ` +
    `${failed.map((r) => `${r.region}${r.details ? ` (${r.details})` : ''}`).join(', ')}` +
    `${
      result.regions.length > failed.length
        ? `; ${result.regions
            .filter((r) => !failed.includes(r))
            .map((r) => `${r.region} ${r.state.toLowerCase()}`)
            .join(', ')}`
        : ''
    }. ` +
    'Running this job again retries the failed region(s).';
  if (params.tolerateFailedRegions && failed.length < result.regions.length) {
    run.warn(
      `${problem} Tolerated (tolerateFailedRegions): VMs can be deployed from the other regions.`,
    );
    return { outcome: 'failed', regions: result.regions };
  }
  return { outcome: 'failed', regions: result.regions, problem };
}
