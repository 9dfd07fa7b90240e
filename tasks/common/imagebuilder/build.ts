/**
 * BuildImage's core: resolve the source, compose the template, create it under a name derived from
 * the job and the content (or attach to the build that name already runs), run it, follow it with its
 * log live, publish outputs and summary, and delete the template. Cancelled: cancel.ts.
 */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import { AzureContext } from '../azure/clients';
import { describeArmError } from '../azure/armErrors';
import { CancelledError, NotImplementedError } from '../core/errors';
import { Logger } from '../core/logger';
import { TaskOutcome } from '../core/outcome';
import { PipelineInfo } from '../core/pipelineInfo';
import { getOrUndefined } from '../azure/notFound';
import { cancelBuild } from './cancel';
import { buildClients, BuildClients } from './clients';
import { describeCustomizer } from './customizers';
import { followBuild, FollowResult } from './follow';
import { templateName } from './naming';
import { BuildReport, outcomeOf, RunOutputInfo } from './outcome';
import { BuildParams } from './params';
import { preflight } from './preflight';
import { findEarlierResult } from './reuse';
import { resolveSource } from './sourceResolution';
import { composeTemplate, toSdkTemplate, withTemplateName } from './template';

export async function buildImage(azure: AzureContext, params: BuildParams, log: Logger, signal: AbortSignal, pipeline: PipelineInfo): Promise<TaskOutcome> {
  if (params.action !== 'build') throw new NotImplementedError(`BuildImage action '${params.action}'`);
  const started = Date.now();
  const clients = buildClients(azure);
  const rg = params.resourceGroup;

  log.group('Source and pre-flight checks');
  const source = await resolveSource(clients.compute, params.source, params.location, params.osType, log, signal);
  const identity = await preflight(azure, clients, params, source, log, signal);
  const base = composeTemplate(params, source, identity.id, azure.subscriptionId, pipeline);
  const name = templateName(pipeline, base);
  const doc = withTemplateName(base, name);
  const customizers = doc.properties.customize.map(describeCustomizer);
  log.group(`Image template ${name} (resource group ${rg})`);
  log.info(JSON.stringify(doc, null, 2));
  log.endGroup();
  const report = (runState: string, extra: Partial<BuildReport> = {}): BuildReport => ({
    templateName: name, runState, durationMs: Date.now() - started, source, customizers, phases: [], runOutputs: [], ...extra,
  });

  const t = clients.aib.virtualMachineImageTemplates;
  let existing = await getOrUndefined(() => t.get(rg, name, { abortSignal: signal }));
  if (!existing) {
    const earlier = await findEarlierResult(clients, params, name, signal);
    if (earlier) {
      log.info(`This job's build already succeeded: ${earlier.describe}. Nothing is built again.`);
      const r = report('Succeeded', { runOutputs: earlier.runOutputs, reused: `Made earlier by this job (template ${name}); found by its provenance tags.` });
      return outcomeOf(r, `The image was built earlier by this job: ${earlier.describe}.`);
    }
  }
  const runState = String(existing?.lastRunStatus?.runState ?? '');
  if (existing && (existing.provisioningState === 'Failed' || ['Failed', 'Canceled'].includes(runState))) {
    log.info(`Template ${name} is left from an earlier attempt whose build ${runState ? runState.toLowerCase() : 'failed to provision'}; deleting it to build again.`);
    await t.delete(rg, name, { abortSignal: signal, updateIntervalInMs: lroInterval(params) });
    existing = undefined;
  }
  const attach = !!existing && ['Running', 'Canceling'].includes(runState);
  const finishedEarlier = !!existing && ['Succeeded', 'PartiallySucceeded'].includes(runState);
  if (attach) {
    log.info(`Template ${name} is already building (an earlier attempt of this job started it): following that build instead of starting another.`);
  } else if (!finishedEarlier) {
    if (!existing) {
      log.info(`Creating image template ${name} in ${rg}...`);
      await t.createOrUpdate(rg, name, toSdkTemplate(doc), { abortSignal: signal, updateIntervalInMs: lroInterval(params) });
    }
    log.info(`Starting the build of ${name}...`);
    await t.run(rg, name, { abortSignal: signal }).submitted();
  }

  let followed: FollowResult;
  try {
    followed = await followBuild({ azure, clients, resourceGroup: rg, name, customizers, pollIntervalMs: params.pollIntervalMs, log, signal });
  } catch (err) {
    if (signal.aborted) {
      log.endGroup();
      await cancelBuild(clients, rg, name, log, params.keepTemplate);
      throw new CancelledError();
    }
    throw err;
  }
  return finish(clients, params, followed, report, log);
}

async function finish(clients: BuildClients, params: BuildParams, f: FollowResult, report: (s: string, e?: Partial<BuildReport>) => BuildReport, log: Logger): Promise<TaskOutcome> {
  const rg = params.resourceGroup;
  const t: ImageTemplate = f.template;
  const name = t.name ?? '';
  const runState = String(t.lastRunStatus?.runState ?? 'Failed');
  const runOutputs: RunOutputInfo[] = [];
  for await (const o of clients.aib.virtualMachineImageTemplates.listRunOutputs(rg, name)) {
    runOutputs.push({ name: o.name ?? '', artifactId: o.artifactId, artifactUri: o.artifactUri, provisioningState: o.provisioningState });
  }
  const r = report(runState, { phases: f.phases, runOutputs, logLines: f.stream.lines });
  const message = String(t.lastRunStatus?.message ?? '');
  const attachments = [{ type: 'BuildImage.log', name: `customization-${name}.log`, content: f.printer.all.map((l) => `${l}\n`).join('') }];
  log.info(`Build log: ${f.stream.lines} lines printed (container log: ${f.stream.fetched.container} bytes in ${f.stream.fetched.containerCalls} reads; customization.log: ${f.stream.fetched.blob} bytes in ${f.stream.fetched.blobCalls} reads).`);

  const keepForDebugging = runState === 'Failed' && params.settings.onCustomizerError === 'abort';
  if (params.keepTemplate || keepForDebugging) {
    log.info(`Keeping image template ${name}${keepForDebugging ? ' and its build VM for debugging (onCustomizerError: abort)' : ''}.`);
  } else {
    await deleteTemplate(clients, rg, name, params, log);
  }

  for (const o of runOutputs) log.info(`Run output ${o.name}: ${o.provisioningState ?? ''} ${o.artifactId ?? o.artifactUri ?? ''}`.trimEnd());
  switch (runState) {
    case 'Succeeded':
      return outcomeOf(r, `Image built by template ${name}: ${runOutputs.map((o) => o.artifactId ?? o.artifactUri).filter(Boolean).join(', ')}.`, attachments);
    case 'PartiallySucceeded':
      log.warn(`Some distribution targets failed: ${message}`);
      return outcomeOf(r, `The image was built but not every distribution target succeeded: ${message}`, attachments);
    default: {
      for (const line of f.printer.explanation()) log.error(line);
      return outcomeOf(r, `The Image Builder run of template ${name} ${runState === 'Canceled' ? 'was cancelled' : 'failed'}: ${message}`, attachments);
    }
  }
}

async function deleteTemplate(clients: BuildClients, rg: string, name: string, params: BuildParams, log: Logger): Promise<void> {
  try {
    await clients.aib.virtualMachineImageTemplates.delete(rg, name, { updateIntervalInMs: lroInterval(params) });
    log.info(`Deleted image template ${name} (and its staging resources).`);
  } catch (err) {
    log.warn(`Deleting image template ${name} failed: ${describeArmError(err)}. Delete it with: az image builder delete -g ${rg} -n ${name}`);
  }
}

/** Long-running operations are polled as often as the build (Azure's Retry-After wins when it is longer). */
function lroInterval(params: BuildParams): number {
  return Math.min(params.pollIntervalMs, 5_000);
}
