/** The task's result, output variables and run summary (markdown) from what a run found and did. */
import { describeArmError } from '../azure/armErrors';
import { InputError } from '../core/errors';
import { TaskOutcome } from '../core/outcome';
import { PlanItem, planChanges, renderPlan } from '../core/plan';
import { AttachPlan, attachmentId } from './attach';
import { DevBoxRun } from './context';
import { DefinitionPlan, Validation } from './definition';
import { ProjectPools } from './devCenterState';
import { RequirementReport, reportTable } from './requirements/report';

export interface RunReport {
  report: RequirementReport;
  /** The plan as printed. */
  items: PlanItem[];
  attach: AttachPlan;
  definition?: DefinitionPlan;
  projects: ProjectPools[];
  /** action: check (nothing written). */
  check: boolean;
  /** The dev box definition's validation, when the run wrote or waited for one. */
  validation?: Validation;
}

export function buildOutcome(run: DevBoxRun, r: RunReport): TaskOutcome {
  const outputs: Record<string, string> = {};
  const attached = r.attach.attached || !r.check;
  if (attached) outputs.galleryAttachmentId = attachmentId(run, r.attach.name);
  const definitionExists = r.definition && (!r.check || r.definition.action !== 'create');
  if (r.definition && definitionExists) {
    outputs.devBoxDefinitionId = r.definition.id;
    const status = r.validation?.status ?? r.definition.existing?.properties?.imageValidationStatus;
    if (status) outputs.imageValidationStatus = status;
    outputs.imageReference = (
      r.validation?.definition.properties?.imageReference ?? r.definition.properties.imageReference
    ).id!;
  }
  const pools = r.definition ? poolsUsing(r.projects, run.params.definition!.name) : [];
  const qualifying = r.report.rows.filter((x) => x.qualifies).length;
  const images = `${qualifying} of ${r.report.rows.length} image(s) meet Dev Box's requirements`;
  const dc = run.params.devCenter.name;
  const message = r.check
    ? `Checked gallery ${run.params.gallery.gallery} for dev center ${dc}: ${images}; ` +
      (planChanges(r.items) ? 'attach would change what the plan lists' : 'nothing to change') +
      ' (check: nothing was changed).'
    : `Gallery ${run.params.gallery.gallery} is attached to dev center ${dc} as ` +
      `'${r.attach.name}'` +
      (r.definition
        ? `; dev box definition ${run.params.definition!.name}: image validation ` +
          `${outputs.imageValidationStatus ?? 'unknown'}`
        : '') +
      `; ${images}.`;
  const warned = run.warnings.length ? ` (with ${run.warnings.length} warning(s))` : '';
  return {
    result: run.result(),
    message: message.replace(/\.$/, `${warned}.`),
    outputs,
    summary: summary(run, r, outputs, pools),
  };
}

/** A run that failed after the images were checked: its message, with the table on the summary. */
export function failedOutcome(
  run: DevBoxRun,
  report: RequirementReport,
  err: unknown,
): TaskOutcome {
  if (err instanceof Error && err.stack) run.log.debug(err.stack);
  const message = err instanceof InputError ? err.message : describeArmError(err);
  const summary = [
    `### Dev Box · ${run.params.devCenter.name} · gallery ${run.params.gallery.gallery}`,
    '',
    `**Failed**: ${message.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')}`,
    '',
    '#### Dev Box image requirements',
    '',
    reportTable(report),
    '',
  ].join('\n');
  return { result: 'Failed', message, summary };
}

/** `project/pool` of the pools whose dev boxes use the definition. */
export function poolsUsing(projects: ProjectPools[], definition: string): string[] {
  return projects.flatMap(({ project, pools }) =>
    pools
      .filter((p) => p.properties?.devBoxDefinitionName?.toLowerCase() === definition.toLowerCase())
      .map((p) => `${project.name}/${p.name}`),
  );
}

function summary(
  run: DevBoxRun,
  r: RunReport,
  outputs: Record<string, string>,
  pools: string[],
): string {
  const lines = [
    `### Dev Box · ${run.params.devCenter.name} · gallery ${run.params.gallery.gallery}` +
      (r.check ? ' (check)' : ''),
    '',
    '| | |',
    '|---|---|',
    ...Object.entries(outputs).map(([k, v]) => `| ${k} | \`${v}\` |`),
  ];
  if (r.definition)
    lines.push(
      `| Pools using the definition | ${pools.join(', ') || 'none'}` +
        `${pools.length ? ' (their new dev boxes get this image)' : ''} |`,
    );
  lines.push('', '#### Dev Box image requirements', '', reportTable(r.report), '');
  lines.push('#### Plan', '', '```', renderPlan(r.check ? 'Would do' : 'Plan', r.items), '```');
  if (run.warnings.length)
    lines.push('', ...run.warnings.map((w) => `- ${w.replace(/\|/g, '\\|')}`));
  lines.push(
    '',
    '_Microsoft Dev Box took no new customers from 1 November 2025 and retires on 18 September ' +
      '2028; Windows 365 is its successor._',
  );
  return `${lines.join('\n')}\n`;
}
