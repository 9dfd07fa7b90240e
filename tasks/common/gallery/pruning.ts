/**
 * Prune: delete old versions of the image definition, keeping the newest N and every version that
 * is in use or protected. A dry run prints the same decisions and deletes nothing.
 */
import type { Gallery, GalleryImageVersion } from '@azure/arm-compute';
import { describeArmError } from '../azure/armErrors';
import { renderPlan } from '../core/plan';
import { GalleryRun } from './context';
import { listVersions } from './galleryState';
import { PruneDecision, selectForPrune } from './pruneSelection';
import { findVersionsInUse } from './usage';

export interface PruneReport {
  keep: number;
  dryRun: boolean;
  decisions: PruneDecision[];
  deleted: string[];
  failed: string[];
  /** Said about the gallery's soft delete. */
  recovery: string;
  /** Why nothing was deleted although some versions qualified (usage could not be checked). */
  skipped?: string;
}

export async function pruneVersions(
  run: GalleryRun,
  opts: { keep: number; dryRun: boolean; current?: string },
  gallery?: Gallery,
): Promise<PruneReport> {
  const { ref, compute, log, signal } = run;
  log.group(
    `Prune: keep the newest ${opts.keep} version(s) of ` +
      `${ref.definition}${opts.dryRun ? ' (dry run)' : ''}`,
  );
  const theGallery =
    gallery ??
    (await compute.galleries.get(ref.resourceGroup, ref.gallery, { abortSignal: signal }));
  const versions = await listVersions(run);
  const recovery = theGallery.softDeletePolicy?.isSoftDeleteEnabled
    ? `Soft delete is on for gallery ${ref.gallery}: deleted versions stay recoverable for ` +
      `the gallery's retention period.`
    : `Soft delete is off for gallery ${ref.gallery}: deleted versions can't be recovered.`;
  const report: PruneReport = {
    keep: opts.keep,
    dryRun: opts.dryRun,
    decisions: [],
    deleted: [],
    failed: [],
    recovery,
  };

  const beyond = versions.length - opts.keep;
  let inUse = new Map<string, string[]>();
  if (beyond > 0) {
    log.info(
      `Looking for VMs, scale sets, AVD host pools and dev box definitions that use these ` +
        `versions...`,
    );
    const scan = await findVersionsInUse(
      run.azure,
      ref,
      theGallery.identifier?.uniqueName,
      log,
      signal,
    );
    log.info(
      `Checked ${scan.subscriptions.length} subscription(s) the service connection can see.`,
    );
    for (const gap of scan.gaps) log.warn(`Could not check ${gap}.`);
    inUse = scan.inUse;
    if (!scan.complete) {
      report.skipped =
        `the VMs or scale sets of subscription ${ref.subscriptionId} could not be listed, so ` +
        `it is not known which versions are in use`;
    }
  }
  report.decisions = selectForPrune(versions.map(asPrunable), {
    keep: opts.keep,
    current: opts.current,
    inUse,
    now: new Date(),
  });
  const title = report.skipped
    ? 'Would do (nothing is deleted: it is not known which versions are in use)'
    : opts.dryRun
      ? 'Would do (dry run: nothing is deleted)'
      : 'Plan (nothing is changed yet)';
  log.info(
    renderPlan(
      title,
      report.decisions.map((d) => ({
        action: d.delete ? 'delete' : 'keep',
        target: `version ${d.name}`,
        reason: d.reason,
      })),
    ),
  );
  const doomed = report.decisions.filter((d) => d.delete).map((d) => d.name);
  if (doomed.length && report.skipped) {
    run.warn(
      `Prune deleted nothing: ${report.skipped}. Give the service connection Reader on the ` +
        `subscription, or prune in a run that can see it.`,
    );
  } else if (doomed.length && opts.dryRun) {
    log.info(
      `Dry run: ${doomed.length} version(s) would be deleted (${doomed.join(', ')}); ` +
        `nothing was deleted. ${recovery}`,
    );
  } else if (doomed.length) {
    log.info(recovery);
    for (const name of doomed) {
      log.info(`Deleting version ${name}...`);
      try {
        await compute.galleryImageVersions.delete(
          ref.resourceGroup,
          ref.gallery,
          ref.definition,
          name,
          run.lro,
        );
        report.deleted.push(name);
      } catch (err) {
        if (signal.aborted) throw err;
        report.failed.push(name);
        run.warn(`Deleting version ${name} failed: ${describeArmError(err)}`);
      }
    }
    log.info(
      `Deleted ${report.deleted.length} ` +
        `version(s)${report.deleted.length ? `: ${report.deleted.join(', ')}` : ''}.`,
    );
  }
  log.endGroup();
  return report;
}

function asPrunable(v: GalleryImageVersion) {
  return {
    name: v.name ?? '',
    provisioningState: v.provisioningState,
    endOfLifeDate: v.publishingProfile?.endOfLifeDate,
    blockDeletionBeforeEndOfLife: v.safetyProfile?.blockDeletionBeforeEndOfLife,
  };
}
