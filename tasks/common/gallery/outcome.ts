/** The task's result, output variables and run summary (markdown) from what a run did. */
import { TaskOutcome, TaskResultKind } from '../core/outcome';
import { GalleryRun } from './context';
import { PruneReport } from './pruning';
import { TargetRegion, sameRegion } from './regions';
import { RegionState } from './replication';
import { definitionId, galleryId, versionId } from '../azure/resourceIds';

export interface RunReport {
  /**
   * What happened to the version, in a few words ("created", "unchanged: this job published it
   * already").
   */
  what: string;
  version?: string;
  source?: string;
  targetRegions?: TargetRegion[];
  regions?: RegionState[];
  replication?: string;
  excludedFromLatest?: boolean;
  endOfLife?: Date;
  /** Failure of the version's replication or publication; the run fails with it. */
  problem?: string;
  prune?: PruneReport;
  notes: string[];
}

export function buildOutcome(run: GalleryRun, report: RunReport): TaskOutcome {
  const { ref } = run;
  const outputs: Record<string, string> = {
    imageDefinitionId: definitionId(ref),
    galleryId: galleryId(ref),
  };
  if (report.version) {
    outputs.imageVersionId = versionId({ ...ref, version: report.version });
    outputs.imageVersionName = report.version;
  }
  if (report.regions) {
    outputs.regions = report.regions.map((r) => `${r.region}=${r.state}`).join(',');
    outputs.replicationState = report.replication ?? '';
  }
  if (report.prune) outputs.prunedVersions = report.prune.deleted.join(',');
  const result: TaskResultKind = report.problem ? 'Failed' : run.result();
  const subject = report.version
    ? `Image version ${report.version} of ${ref.gallery}/${ref.definition}`
    : `Image definition ${ref.gallery}/${ref.definition}`;
  const message =
    report.problem ??
    `${subject}: ` +
      `${report.what}` +
      `${run.warnings.length ? ` (with ${run.warnings.length} warning(s))` : ''}.`;
  return { result, message, outputs, summary: summary(run, report, outputs) };
}

function summary(run: GalleryRun, r: RunReport, outputs: Record<string, string>): string {
  const { ref } = run;
  const lines: string[] = [];
  lines.push(
    `### ${r.version ? `Image version ${r.version}` : 'Image definition'} · ` +
      `${ref.gallery}/${ref.definition}`,
    '',
  );
  lines.push('| | |', '|---|---|');
  lines.push(`| Result | ${r.problem ? `**Failed**: ${escape(r.problem)}` : escape(r.what)} |`);
  if (outputs.imageVersionId) lines.push(`| Image version | \`${outputs.imageVersionId}\` |`);
  lines.push(`| Image definition | \`${outputs.imageDefinitionId}\` |`);
  if (r.source) lines.push(`| Source | ${escape(r.source)} |`);
  if (r.excludedFromLatest !== undefined) {
    const latest = r.excludedFromLatest
      ? 'excluded from latest (promote it with action: promote)'
      : 'included in latest';
    lines.push(`| Latest | ${latest} |`);
  }
  if (r.endOfLife) lines.push(`| End of life | ${r.endOfLife.toISOString().slice(0, 10)} |`);
  lines.push(
    `| Run | [${escape(run.pipeline.definitionName || 'pipeline')} ` +
      `${escape(run.pipeline.buildNumber)}](${run.pipeline.runUrl}) |`,
  );
  if (r.regions?.length) {
    lines.push('', '| Region | Replicas | Storage | State |', '|---|---|---|---|');
    for (const region of r.regions) {
      const t = r.targetRegions?.find((x) => sameRegion(x.name, region.region));
      const state = /^completed$/i.test(region.state)
        ? 'Completed'
        : `${region.state} ` +
          `${region.progress}%${region.details ? ` (${escape(region.details)})` : ''}`;
      lines.push(
        `| ${region.region} | ${t?.regionalReplicaCount ?? ''} | ` +
          `${t?.storageAccountType ?? ''} | ${state} |`,
      );
    }
  }
  if (r.prune) {
    const p = r.prune;
    lines.push('', `#### Prune: keep the newest ${p.keep}${p.dryRun ? ' (dry run)' : ''}`, '');
    if (p.skipped) lines.push(`Nothing deleted: ${escape(p.skipped)}.`, '');
    lines.push('| Version | Decision | Why |', '|---|---|---|');
    for (const d of p.decisions) {
      const decision = !d.delete
        ? 'kept'
        : p.failed.includes(d.name)
          ? 'delete failed'
          : p.deleted.includes(d.name)
            ? 'deleted'
            : 'would be deleted';
      lines.push(`| ${d.name} | ${decision} | ${escape(d.reason)} |`);
    }
    lines.push('', escape(p.recovery));
  }
  const notes = [...r.notes, ...run.warnings];
  if (notes.length) lines.push('', ...notes.map((n) => `- ${escape(n)}`));
  return `${lines.join('\n')}\n`;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
