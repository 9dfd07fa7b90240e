/**
 * `action: cleanup`: removes what cancelled or killed runs of this pipeline left behind in the
 * resource group — image templates whose provenance names this pipeline and whose run has ended,
 * their artifact archives (`gip.artifacts` tag) and the local files uploaded for them (`gip.files`,
 * uploads/localFiles.ts). Never another pipeline's template, never a running build, and not one of
 * this run's own templates unless a cancel tagged it (a later job may still `wait` for it). Safe to
 * run again: what is gone is simply not found.
 */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import { describeArmError } from '../../azure/armErrors';
import { isNotFound } from '../../azure/notFound';
import { PipelineInfo } from '../../core/pipelineInfo';
import { definitionIdentity, runIdentity, TAGS } from '../../core/provenance';
import { deleteArtifacts } from '../uploads/artifactsAccount';
import { ARTIFACTS_TAG } from '../uploads/buildArtifacts';
import { buildClients } from '../clients';
import { deleteUploadedFiles, uploadedFilesOf } from '../uploads/localFiles';
import { CLEANUP_TAG } from '../template/compose';
import { ActionContext, ActionResult } from './action';

export type CleanupDecision = { remove: true; why: string } | { remove: false; why: string };

/** Whether a template is this pipeline's leftover; the reason either way, for the log. */
export function decide(
  t: Pick<ImageTemplate, 'tags' | 'lastRunStatus' | 'provisioningState'>,
  pipeline: PipelineInfo,
): CleanupDecision {
  const tags = t.tags ?? {};
  if (tags['gip.managedBy'] !== 'BuildImage' && !tags[CLEANUP_TAG])
    return { remove: false, why: 'not made by BuildImage' };
  const owner = tags[TAGS.pipeline];
  const definition = tags[TAGS.definition];
  // The definition tells pipelines apart; templates made before it was tagged have only the name.
  const ours = definition
    ? definition === definitionIdentity(pipeline)
    : owner === pipeline.definitionName;
  if (!ours)
    return {
      remove: false,
      why:
        owner || definition
          ? `another pipeline's (${[owner, definition].filter(Boolean).join(', ')})`
          : 'no pipeline named in its tags',
    };
  const state = String(t.lastRunStatus?.runState ?? '');
  if (state === 'Running') return { remove: false, why: 'its build is running' };
  if (/^(Creating|Updating|Deleting)$/i.test(String(t.provisioningState ?? '')))
    return { remove: false, why: `it is ${String(t.provisioningState).toLowerCase()}` };
  if (tags[CLEANUP_TAG])
    return { remove: true, why: `tagged ${CLEANUP_TAG} (${tags[CLEANUP_TAG]})` };
  if (tags[TAGS.runUrl] === runIdentity(pipeline) && !state)
    return { remove: false, why: 'started by this run and not run yet' };
  return {
    remove: true,
    why: state ? `left behind, its run ended ${state}` : 'left behind, never run',
  };
}

export interface CleanupOptions extends ActionContext {
  /** Where to look for templates left behind. */
  resourceGroup: string;
  /** The pipeline and run: whose templates these are (their provenance tags say). */
  pipeline: PipelineInfo;
}

/** No output variables; SucceededWithIssues when a leftover could not be removed. */
export type CleanupResult = ActionResult<Record<string, never>>;

export async function cleanup(o: CleanupOptions): Promise<CleanupResult> {
  const { azure, resourceGroup, pipeline, log, signal } = o;
  const clients = buildClients(azure);
  const t = clients.aib.virtualMachineImageTemplates;
  log.info(
    `Looking for image templates left behind by pipeline '${pipeline.definitionName}' in ` +
      `resource group ${resourceGroup}...`,
  );
  const templates: ImageTemplate[] = [];
  try {
    for await (const x of t.listByResourceGroup(resourceGroup, { abortSignal: signal }))
      templates.push(x);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const decisions = templates.map((x) => ({ x, d: decide(x, pipeline) }));
  // Archives and files are content-addressed: one a kept template (a running build, another
  // pipeline) still names stays.
  const kept = decisions.filter(({ d }) => !d.remove).map(({ x }) => x);
  const inUse = new Set(kept.map((x) => x.tags?.[ARTIFACTS_TAG]).filter(Boolean));
  const filesInUse = new Set(kept.flatMap(uploadedFilesOf));
  const removed: string[] = [];
  const failed: string[] = [];
  for (const { x, d } of decisions) {
    if (!d.remove) {
      log.info(`Kept ${x.name}: ${d.why}.`);
      continue;
    }
    try {
      const artifacts = x.tags?.[ARTIFACTS_TAG];
      if (artifacts && inUse.has(artifacts))
        log.info(`Kept the build artifacts archive of ${x.name}: a kept template uses it too.`);
      else if (artifacts) await deleteArtifacts(azure, artifacts, log);
      const files = uploadedFilesOf(x);
      const shared = files.filter((u) => filesInUse.has(u));
      if (shared.length)
        log.info(
          `Kept ${shared.length} uploaded file(s) of ${x.name}: a kept template uses them too.`,
        );
      await deleteUploadedFiles(
        azure,
        files.filter((u) => !filesInUse.has(u)),
        log,
      );
      await t.beginDeleteAndWait(resourceGroup, x.name!, {
        abortSignal: signal,
        updateIntervalInMs: 250,
      });
      removed.push(x.name!);
      log.info(`Removed ${x.name}: ${d.why}.`);
    } catch (err) {
      if (isNotFound(err)) {
        removed.push(x.name!);
        continue;
      }
      failed.push(x.name!);
      log.warn(`Removing ${x.name} failed: ${describeArmError(err)}`);
    }
  }
  const message =
    `Removed ${removed.length} image template(s) left ` +
    `behind${removed.length ? ` (${removed.join(', ')})` : ''}; kept ${kept.length}.`;
  log.info(message);
  if (failed.length)
    return {
      result: 'SucceededWithIssues',
      message: `${message} Could not remove: ${failed.join(', ')}.`,
      outputs: {},
    };
  return { result: 'Succeeded', message, outputs: {} };
}
