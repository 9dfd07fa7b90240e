/**
 * The run's summary page: hosts before and after, each batch's times, and what is left for people
 * (hosts left drained, device records to remove, warnings). Markdown, as the pipeline's summary
 * tab renders it.
 */
import { HostRow, hostRow, UpdateHostPoolResult } from '../result';
import { RolloutPlan } from '../rolloutPlan';

/** The pool's hosts as the plan read them. */
export function beforeRows(plan: RolloutPlan): HostRow[] {
  return plan.pool.hosts.map(hostRow);
}

/** The hosts after the run: the plan's, less those removed, plus those added. */
export function afterRows(plan: RolloutPlan, added: string[], removed: string[]): HostRow[] {
  const gone = new Set(removed.map((n) => n.toLowerCase()));
  const kept = beforeRows(plan).filter((r) => !gone.has(r.name.toLowerCase()));
  const known = new Set(kept.map((r) => r.name.toLowerCase()));
  const zoneOf = new Map(
    plan.batches.flatMap((b) => b.create.map((h) => [h.name.toLowerCase(), h.zone] as const)),
  );
  return [
    ...kept,
    ...added
      .filter((n) => !known.has(n.toLowerCase()))
      .map((name) => ({
        name,
        imageVersionId: plan.target.versionId,
        status: 'Available',
        sessions: 0,
        zone: zoneOf.get(name.toLowerCase()),
      })),
  ];
}

export interface SummaryExtras {
  pool: string;
  devicesLeft: string[];
  leftDrained: { host: string; sessions: number }[];
  warnings: string[];
}

const cell = (v: string | number | undefined) =>
  v === undefined ? '' : String(v).replace(/\|/g, '\\|');
const version = (id: string | undefined) =>
  id ? (id.split('/').pop() ?? id) : 'not a gallery version';

function table(rows: HostRow[]): string[] {
  return [
    '| Host | Image version | Status | Sessions | Zone |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${cell(r.name)} | ${cell(version(r.imageVersionId))} | ${cell(r.status)} | ` +
        `${cell(r.sessions)} | ${cell(r.zone)} |`,
    ),
  ];
}

export function renderSummary(r: UpdateHostPoolResult, x: SummaryExtras): string {
  const lines = [
    `## UpdateHostPool: ${x.pool}`,
    '',
    `**${r.rolloutState}**: ${r.message}`,
    '',
    `Target image version: \`${r.imageVersionId}\``,
    '',
    '### Before',
    ...table(r.before),
    '',
    '### After',
    ...table(r.after),
  ];
  if (r.batches.length)
    lines.push(
      '',
      '### Batches',
      '| Batch | Old hosts | New hosts | Started | Available | Drained | Removed |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...r.batches.map(
        (b) =>
          `| ${b.number}${b.canary ? ' (canary)' : ''} | ${cell(b.oldHosts.join(', '))} | ` +
          `${cell(b.newHosts.join(', '))} | ${b.started} | ${b.available ?? ''} | ` +
          `${b.drained ?? ''} | ${b.removed ?? ''} |`,
      ),
    );
  if (x.leftDrained.length)
    lines.push(
      '',
      '### Left drained (the next run finishes them)',
      ...x.leftDrained.map((l) => `- ${l.host}: ${l.sessions} session(s)`),
    );
  if (x.devicesLeft.length)
    lines.push(
      '',
      '### Entra device records to remove',
      'Set `removeDeviceRecords: true` (Device.ReadWrite.All) to have the task remove them:',
      ...x.devicesLeft.map((d) => `- ${d}`),
    );
  if (x.warnings.length) lines.push('', '### Warnings', ...x.warnings.map((w) => `- ${w}`));
  return lines.join('\n');
}
