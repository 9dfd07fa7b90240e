/**
 * `validate`: every check `build` makes and the template it would send, printed, with one plan of
 * what a build would write; nothing is created. For pull-request builds.
 */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import { getOrUndefined } from '../../azure/notFound';
import { PlanItem, renderPlan } from '../../core/plan';
import { buildClients } from '../clients';
import { ActionResult, BuildOptions } from './action';
import { prepare, Prepared } from './prepare';

export type ValidateOutputs = {
  /** The template a build with these inputs in this job would create. */
  templateName: string;
};

/** Succeeded: the inputs are valid (a refusal fails the task with its reason). */
export type ValidateResult = ActionResult<ValidateOutputs>;

export async function validate(o: BuildOptions): Promise<ValidateResult> {
  const { params, log, signal } = o;
  const clients = buildClients(o.azure);
  const p = await prepare({ ...o, clients });
  const existing = await getOrUndefined(() =>
    clients.aib.virtualMachineImageTemplates.get(params.resourceGroup, p.name, {
      abortSignal: signal,
    }),
  );
  // The local files and the archive share the account and Image Builder's grant: each is listed
  // once.
  const items = p.plan.filter(
    (item, i) =>
      p.plan.findIndex((x) => x.action === item.action && x.target === item.target) === i,
  );
  log.info(
    renderPlan('Would do (validate: nothing is changed)', [
      ...items,
      ...templateItems(p, params.resourceGroup, existing),
    ]),
  );
  return {
    result: 'Succeeded',
    message:
      `The inputs are valid: a build would create image template ${p.name} with ` +
      `${p.customizers.length} customiser${p.customizers.length === 1 ? '' : 's'}. Nothing ` +
      `was created.`,
    outputs: { templateName: p.name },
  };
}

/**
 * What a build does with the template: create it; follow or finish the one this job made; or delete
 * a failed one and create it again (as run/launch.ts).
 */
function templateItems(p: Prepared, rg: string, existing: ImageTemplate | undefined): PlanItem[] {
  const target = `image template ${p.name} in ${rg}`;
  const details = [
    `source ${p.source.description}`,
    ...p.customizers.map((c, i) => `customiser ${i + 1} of ${p.customizers.length}: ${c}`),
    ...p.doc.properties.distribute.map((d) => `distribute: ${describeTarget(d)}`),
  ];
  if (!existing) return [{ action: 'create', target, reason: 'missing', details }];
  const runState = String(existing.lastRunStatus?.runState ?? '');
  if (existing.provisioningState === 'Failed' || ['Failed', 'Canceled'].includes(runState)) {
    return [
      {
        action: 'delete',
        target,
        reason:
          `left from an earlier attempt whose build ` +
          `${runState ? runState.toLowerCase() : 'failed to provision'}`,
      },
      { action: 'create', target, reason: 'to build again', details },
    ];
  }
  return [
    {
      action: 'keep',
      target,
      reason:
        `exists (${runState || 'not run'}): a build with these inputs in this job would ` +
        `follow it`,
      details,
    },
  ];
}

function describeTarget(d: Record<string, unknown>): string {
  switch (d.type) {
    case 'SharedImage': {
      const id = String(d.galleryImageId);
      return /\/versions\/[^/]+$/i.test(id)
        ? `gallery image version ${id}`
        : `a new version of image definition ${id}`;
    }
    case 'ManagedImage':
      return `managed image ${String(d.imageId)}`;
    default:
      return `VHD ${typeof d.uri === 'string' ? d.uri : 'in the staging resource group'}`;
  }
}
