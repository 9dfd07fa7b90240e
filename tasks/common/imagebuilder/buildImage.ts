/**
 * BuildImage's core: resolve the source, upload the build artifacts, compose the template, create
 * it under a name derived from the job and the content (or attach to the build that name already
 * runs), run it, follow it with its log live, publish outputs and summary, and delete the template
 * and the artifacts. `start` returns once the run is started; `wait` (a later job) follows and
 * finishes it; `cancel` cancels and deletes it. Cancelled by the agent: cancel.ts.
 */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import * as path from 'path';
import { AzureContext } from '../azure/clients';
import { describeArmError } from '../azure/armErrors';
import { CancelledError, InputError } from '../core/errors';
import { Logger, MemoryLogger } from '../core/logger';
import { TaskOutcome } from '../core/outcome';
import { PlanItem, renderPlan } from '../core/plan';
import { PipelineInfo } from '../core/pipelineInfo';
import { getOrUndefined } from '../azure/notFound';
import { ARTIFACTS_TAG, prepareArtifacts, PreparedArtifacts } from './uploads/buildArtifacts';
import { dropBuildBlobs } from './uploads/blobsInUse';
import { cancelBuild } from './run/cancelBuild';
import { cleanup } from './actions/cleanup';
import { buildClients, BuildClients } from './clients';
import { Customizer, describeCustomizer } from './template/customizers';
import { followBuild, FollowResult, TERMINAL } from './livelog/follow';
import { templateName } from './template/naming';
import { BuildReport, outcomeOf, RunOutputInfo } from './run/outcome';
import { BuildParams, isCleanup, isNamedTemplate, TaskParams } from './inputs/params';
import { preflight } from './access/preflight';
import { warnHostedTimeout } from './run/hostedTimeout';
import { findEarlierResult } from './run/earlierResult';
import { ResolvedSource, resolveSource, sourceOfTemplate } from './inputs/sourceResolution';
import { ArmValue } from './template/templateFile/armExpressions';
import { applyTemplateFile, sourceRefOf } from './template/templateFile/applyFile';
import {
  fileStepsOf,
  FILES_TAG,
  findLocalFiles,
  uploadedFilesOf,
  uploadLocalFiles,
  withValidators,
} from './uploads/localFiles';
import { loadTemplate } from './template/templateFile/loadTemplate';
import {
  CLEANUP_TAG,
  composeTemplate,
  TemplateDocument,
  toSdkTemplate,
  withTemplateName,
} from './template/compose';

/**
 * `cancel` as a step of its own has the job's time, not the agent's 7 s: wait for Canceled that
 * long.
 */
const CANCEL_WAIT_MS = 30 * 60_000;

export async function buildImage(
  azure: AzureContext,
  params: TaskParams,
  log: Logger,
  signal: AbortSignal,
  pipeline: PipelineInfo,
): Promise<TaskOutcome> {
  if (isCleanup(params)) return cleanup(azure, params.resourceGroup, pipeline, log, signal);
  if (isNamedTemplate(params)) {
    return params.action === 'wait'
      ? waitForBuild(azure, params, params.templateName, params.keepArtifacts, log, signal)
      : cancelNamed(azure, params, params.templateName, params.keepArtifacts, log);
  }
  switch (params.action) {
    case 'build':
    case 'start':
      return buildOrStart(azure, params, log, signal, pipeline);
    case 'validate':
      return validate(azure, params, log, signal, pipeline);
    case 'wait':
    case 'cancel': {
      const name = await deterministicName(azure, params, pipeline, log, signal);
      const keep = params.customize.uploads.keep;
      return params.action === 'wait'
        ? waitForBuild(azure, params, name, keep, log, signal)
        : cancelNamed(azure, params, name, keep, log);
    }
  }
}

interface Prepared {
  source: ResolvedSource;
  doc: TemplateDocument;
  name: string;
  customizers: string[];
  artifacts?: PreparedArtifacts;
  /** URLs of the local files uploaded for it (localFiles.ts). */
  files: string[];
  /**
   * Unless it builds: what a build would write before the template (identity, account, grants,
   * uploads), in that order.
   */
  plan: PlanItem[];
}

/**
 * Source, pre-flight, artifacts upload, the template and its name; printed. Writes only the
 * identity and the artifacts (nothing unless it builds).
 */
async function prepare(
  azure: AzureContext,
  clients: BuildClients,
  params: BuildParams,
  pipeline: PipelineInfo,
  log: Logger,
  signal: AbortSignal,
): Promise<Prepared> {
  const rg = params.resourceGroup;
  log.group('Source and pre-flight checks');
  // A template file is evaluated first: its source is what is resolved, and a refusal comes before
  // any write.
  const file = params.templateFile
    ? loadTemplate(params.templateFile.doc, {
        subscriptionId: azure.subscriptionId,
        resourceGroup: rg,
        location: params.location,
        parameters: params.templateFile.parameters,
        identityGiven: !!params.identity,
      })
    : undefined;
  const fileInput = params.templateFile
    ? 'templateFile'
    : params.customize.fromFile
      ? 'customizersFile'
      : undefined;
  const steps = fileStepsOf(
    (file?.properties.customize ?? params.customize.fromFile?.customizers ?? []) as Customizer[],
    file?.properties,
  );
  // Local paths are checked (and hashed) here, before any request.
  const localFiles = fileInput
    ? findLocalFiles(
        steps,
        fileInput,
        path.dirname(params.templateFile?.file ?? params.customize.fromFile!.path),
        pipeline.defaultWorkingDirectory || process.cwd(),
      )
    : [];
  for (const w of params.customize.fromFile?.warnings ?? []) log.warn(`customizersFile: ${w}`);
  for (const w of params.inputWarnings ?? []) log.warn(w);
  const sourceRef = file
    ? sourceRefOf(file.properties.source as Record<string, ArmValue>)
    : params.source;
  if (!sourceRef)
    throw new InputError(
      'sourceImage',
      'a value is required',
      'a marketplace URN, a gallery image version id or a managed image id; or a templateFile',
    );
  const source = await resolveSource(
    clients.compute,
    sourceRef,
    params.location,
    params.osType,
    log,
    signal,
  ).catch((err: unknown) => {
    // The file, not the sourceImage input, named that source.
    if (file && err instanceof InputError && err.input === 'sourceImage')
      throw new InputError(
        'templateFile',
        `properties.source: ` +
          `${err.message.replace(/^Input 'sourceImage': /, '').replace(/\.$/, '')}`,
      );
    throw err;
  });
  // The pre-flight checks the template as it will be sent (targets, staging group, vnet), less its
  // customisers.
  const draft = (identityId: string) => {
    const c = composeTemplate(params, source, identityId, azure.subscriptionId, pipeline);
    return file ? applyTemplateFile(c, { ...file, warnings: [] }, new MemoryLogger()) : c;
  };
  const { identity, plan: identityPlan } = await preflight(
    azure,
    clients,
    params,
    source,
    {
      draft,
      fileIdentity: file?.identity,
      uploads: !!params.customize.packagePath || localFiles.length > 0,
    },
    log,
    signal,
  );
  warnHostedTimeout(pipeline, params.action, params.settings.buildTimeoutMinutes, log);
  // Unless it builds, the uploads write nothing and add what they would do to the plan.
  const plan =
    params.action === 'build' || params.action === 'start' ? undefined : [...identityPlan];
  // Before the archive: a given account the identity can't read is refused before any write.
  const placed =
    fileInput && localFiles.length
      ? await uploadLocalFiles(
          azure,
          clients,
          steps,
          localFiles,
          fileInput,
          {
            resourceGroup: rg,
            location: params.location,
            principalId: identity.principalId,
            storageAccount: params.customize.uploads.storageAccount,
            plan,
          },
          log,
          signal,
        )
      : undefined;
  const fileCustomizers = (placed?.steps ?? steps).customize as Customizer[];
  const a = params.customize.packagePath;
  // The build VM's identities as the template will have them (a template file's vmProfile wins over
  // the input).
  const vmIdentities = a
    ? ((
        draft(identity.id).properties.vmProfile as { userAssignedIdentities?: string[] } | undefined
      )?.userAssignedIdentities ?? [])
    : [];
  const artifacts = a
    ? await prepareArtifacts(
        azure,
        clients,
        a,
        {
          resourceGroup: rg,
          location: params.location,
          osType: source.osType,
          principalId: identity.principalId,
          buildVmIdentities: vmIdentities,
          buildTimeoutMinutes: params.settings.buildTimeoutMinutes,
          plan,
        },
        log,
        signal,
      )
    : undefined;
  const composed = composeTemplate(
    params,
    source,
    identity.id,
    azure.subscriptionId,
    pipeline,
    artifacts,
  );
  if (params.customize.fromFile) composed.properties.customize.push(...fileCustomizers);
  const base = file
    ? applyTemplateFile(composed, placed ? withValidators(file, placed.steps) : file, log)
    : composed;
  if (file) base.properties.customize = [...(artifacts?.customizers ?? []), ...fileCustomizers];
  if (placed) base.tags[FILES_TAG] = placed.tag;
  const name = templateName(pipeline, base);
  const doc = withTemplateName(base, name);
  log.group(`Image template ${name} (resource group ${rg})`);
  log.info(JSON.stringify(doc, null, 2));
  log.endGroup();
  return {
    source,
    doc,
    name,
    customizers: doc.properties.customize.map(describeCustomizer),
    artifacts,
    files: placed?.urls ?? [],
    plan: plan ?? [],
  };
}

/**
 * `validate`: every check `build` makes and the template it would send, printed; nothing is
 * created.
 */
async function validate(
  azure: AzureContext,
  params: BuildParams,
  log: Logger,
  signal: AbortSignal,
  pipeline: PipelineInfo,
): Promise<TaskOutcome> {
  const clients = buildClients(azure);
  const p = await prepare(azure, clients, params, pipeline, log, signal);
  const existing = await getOrUndefined(() =>
    clients.aib.virtualMachineImageTemplates.get(params.resourceGroup, p.name, {
      abortSignal: signal,
    }),
  );
  // The local files and the archive share the account and Image Builder's grant: each is listed
  // once.
  const items = p.plan.filter(
    (item, i) =>
      p.plan.findIndex((o) => o.action === item.action && o.target === item.target) === i,
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
 * a failed one and create it again (as runPrepared).
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

async function buildOrStart(
  azure: AzureContext,
  params: BuildParams,
  log: Logger,
  signal: AbortSignal,
  pipeline: PipelineInfo,
): Promise<TaskOutcome> {
  const started = Date.now();
  const clients = buildClients(azure);
  const p = await prepare(azure, clients, params, pipeline, log, signal);
  // `start` leaves the archive and uploaded files to the build; `wait` deletes them when the build
  // ends.
  const dropArtifacts = async () => {
    if (params.action !== 'build' || params.customize.uploads.keep) return;
    await dropBuildBlobs(
      azure,
      clients,
      params.resourceGroup,
      p.name,
      { archive: p.artifacts?.url, files: p.files },
      log,
    );
  };
  try {
    return await runPrepared(azure, clients, params, p, started, log, signal);
  } finally {
    await dropArtifacts();
  }
}

async function runPrepared(
  azure: AzureContext,
  clients: BuildClients,
  params: BuildParams,
  p: Prepared,
  started: number,
  log: Logger,
  signal: AbortSignal,
): Promise<TaskOutcome> {
  const rg = params.resourceGroup;
  const { name, doc } = p;
  const report = reporter(p.name, p.source, p.customizers, started);
  const t = clients.aib.virtualMachineImageTemplates;
  let existing = await getOrUndefined(() => t.get(rg, name, { abortSignal: signal }));
  if (!existing) {
    const earlier = await findEarlierResult(clients, doc, name, signal);
    if (earlier) {
      log.info(`This job's build already succeeded: ${earlier.describe}. Nothing is built again.`);
      const r = report('Succeeded', {
        runOutputs: earlier.runOutputs,
        reused: `Made earlier by this job (template ${name}); found by its provenance tags.`,
      });
      return outcomeOf(r, `The image was built earlier by this job: ${earlier.describe}.`);
    }
  }
  const runState = String(existing?.lastRunStatus?.runState ?? '');
  if (
    existing &&
    (existing.provisioningState === 'Failed' || ['Failed', 'Canceled'].includes(runState))
  ) {
    log.info(
      `Template ${name} is left from an earlier attempt whose build ` +
        `${runState ? runState.toLowerCase() : 'failed to provision'}; deleting it to build ` +
        `again.`,
    );
    await t.delete(rg, name, { abortSignal: signal, updateIntervalInMs: lroInterval(params) });
    existing = undefined;
  }
  const attach = !!existing && ['Running', 'Canceling'].includes(runState);
  const finishedEarlier = !!existing && ['Succeeded', 'PartiallySucceeded'].includes(runState);
  if (attach) {
    log.info(
      `Template ${name} is already building (an earlier attempt of this job started it): ` +
        `following that build instead of starting another.`,
    );
  } else if (!finishedEarlier) {
    if (!existing) {
      log.info(`Creating image template ${name} in ${rg}...`);
      const sent = p.artifacts ? await p.artifacts.withSecret(doc) : doc;
      await t.createOrUpdate(rg, name, toSdkTemplate(sent), {
        abortSignal: signal,
        updateIntervalInMs: lroInterval(params),
      });
    }
    log.info(`Starting the build of ${name}...`);
    await t.run(rg, name, { abortSignal: signal }).submitted();
  }
  if (params.action === 'start') {
    log.info(
      `The build of ${name} runs on without this job. Follow and finish it in a later job ` +
        `with action: wait, templateName: ${name}.`,
    );
    return {
      result: 'Succeeded',
      message: `Started the Image Builder build of template ${name}.`,
      outputs: { templateName: name, runState: finishedEarlier ? runState : 'Running' },
    };
  }
  return followAndFinish(azure, clients, params, name, p.customizers, report, log, signal);
}

/**
 * `wait`: a build `start` began (maybe in another job): follow it from where it is and finish it as
 * `build` does.
 */
async function waitForBuild(
  azure: AzureContext,
  params: FollowParams,
  name: string,
  keepArtifacts: boolean,
  log: Logger,
  signal: AbortSignal,
): Promise<TaskOutcome> {
  const started = Date.now();
  const clients = buildClients(azure);
  const t = await getOrUndefined(() =>
    clients.aib.virtualMachineImageTemplates.get(params.resourceGroup, name, {
      abortSignal: signal,
    }),
  );
  if (!t) {
    throw new InputError(
      'templateName',
      `there is no image template '${name}' in ${params.resourceGroup} (it may have been ` +
        `deleted already)`,
      'the templateName output of the start step',
    );
  }
  const customizers = ((t.customize ?? []) as unknown as Record<string, unknown>[]).map(
    describeCustomizer,
  );
  log.info(
    `Following the build of template ${name} ` +
      `(${String(t.lastRunStatus?.runState ?? 'not started')}` +
      `${t.lastRunStatus?.runSubState ? `, ${t.lastRunStatus.runSubState}` : ''}).`,
  );
  const report = reporter(name, sourceOfTemplate(t), customizers, started);
  const artifactsUrl = t.tags?.[ARTIFACTS_TAG];
  try {
    return await followAndFinish(azure, clients, params, name, customizers, report, log, signal);
  } finally {
    if (!keepArtifacts)
      await dropBuildBlobs(
        azure,
        clients,
        params.resourceGroup,
        name,
        { archive: artifactsUrl, files: uploadedFilesOf(t) },
        log,
      );
  }
}

/**
 * `cancel`: cancel the named (or this job's) template's run, wait for Canceled, delete it and its
 * artifacts.
 */
async function cancelNamed(
  azure: AzureContext,
  params: FollowParams,
  name: string,
  keepArtifacts: boolean,
  log: Logger,
): Promise<TaskOutcome> {
  const clients = buildClients(azure);
  const rg = params.resourceGroup;
  // Not the task's signal: once asked to cancel, the cancel is carried through.
  const t = await getOrUndefined(() => clients.aib.virtualMachineImageTemplates.get(rg, name));
  if (!t) {
    log.warn(`There is no image template '${name}' in ${rg}: nothing to cancel.`);
    return {
      result: 'Succeeded',
      message: `Nothing to cancel: template ${name} does not exist.`,
      outputs: { templateName: name },
    };
  }
  await cancelBuild(clients, rg, name, log, params.keepTemplate, CANCEL_WAIT_MS);
  const after = await getOrUndefined(() => clients.aib.virtualMachineImageTemplates.get(rg, name));
  const state = String(after?.lastRunStatus?.runState ?? 'Canceled');
  const artifactsUrl = t.tags?.[ARTIFACTS_TAG];
  if (!keepArtifacts)
    await dropBuildBlobs(
      azure,
      clients,
      rg,
      name,
      { archive: artifactsUrl, files: uploadedFilesOf(t) },
      log,
    );
  const done = after ? params.keepTemplate && TERMINAL.includes(state) : true;
  return {
    result: done ? 'Succeeded' : 'Failed',
    message: done
      ? `The build of template ${name} ended ` +
        `(${state})${after ? '; the template is kept' : ' and the template is deleted'}.`
      : `The build of template ${name} did not stop in time (${state}); it is tagged ` +
        `${CLEANUP_TAG}.`,
    outputs: { templateName: name, runState: state },
  };
}

/**
 * `wait`/`cancel` without templateName: the template this job's inputs give (as `build` and `start`
 * name it).
 */
async function deterministicName(
  azure: AzureContext,
  params: BuildParams,
  pipeline: PipelineInfo,
  log: Logger,
  signal: AbortSignal,
): Promise<string> {
  if (params.customize.packagePath) {
    // Naming it would mean packaging the folder again (its archive's checksum is in the template).
    throw new InputError(
      'templateName',
      `is required for action ${params.action} when packagePath is set`,
      'the templateName output of the start step',
    );
  }
  return (await prepare(azure, buildClients(azure), params, pipeline, log, signal)).name;
}

type Reporter = (s: string, e?: Partial<BuildReport>) => BuildReport;

function reporter(
  name: string,
  source: ResolvedSource,
  customizers: string[],
  started: number,
): Reporter {
  return (runState, extra = {}) => ({
    templateName: name,
    runState,
    durationMs: Date.now() - started,
    source,
    customizers,
    phases: [],
    runOutputs: [],
    ...extra,
  });
}

/** What following and finishing a build needs of the parameters. */
type FollowParams = Pick<BuildParams, 'resourceGroup' | 'keepTemplate' | 'pollIntervalMs'>;

async function followAndFinish(
  azure: AzureContext,
  clients: BuildClients,
  params: FollowParams,
  name: string,
  customizers: string[],
  report: Reporter,
  log: Logger,
  signal: AbortSignal,
): Promise<TaskOutcome> {
  const rg = params.resourceGroup;
  let followed: FollowResult;
  try {
    followed = await followBuild({
      azure,
      clients,
      resourceGroup: rg,
      name,
      customizers,
      pollIntervalMs: params.pollIntervalMs,
      log,
      signal,
    });
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

async function finish(
  clients: BuildClients,
  params: FollowParams,
  f: FollowResult,
  report: Reporter,
  log: Logger,
): Promise<TaskOutcome> {
  const rg = params.resourceGroup;
  const t: ImageTemplate = f.template;
  const name = t.name ?? '';
  const runState = String(t.lastRunStatus?.runState ?? 'Failed');
  const runOutputs: RunOutputInfo[] = [];
  for await (const o of clients.aib.virtualMachineImageTemplates.listRunOutputs(rg, name)) {
    runOutputs.push({
      name: o.name ?? '',
      artifactId: o.artifactId,
      artifactUri: o.artifactUri,
      provisioningState: o.provisioningState,
    });
  }
  const r = report(runState, { phases: f.phases, runOutputs, logLines: f.stream.lines });
  const message = String(t.lastRunStatus?.message ?? '');
  const attachments = [
    {
      type: 'BuildImage.log',
      name: `customization-${name}.log`,
      content: f.printer.all.map((l) => `${l}\n`).join(''),
    },
  ];
  log.info(
    `Build log: ${f.stream.lines} lines printed (container log: ` +
      `${f.stream.fetched.container} bytes in ${f.stream.fetched.containerCalls} reads; ` +
      `customization.log: ${f.stream.fetched.blob} bytes in ${f.stream.fetched.blobCalls} ` +
      `reads).`,
  );

  // Read from the template, which `wait` did not compose.
  const keepForDebugging = runState === 'Failed' && t.errorHandling?.onCustomizerError === 'abort';
  const stagedVhd = stagedVhdUri(t, runOutputs);
  if (params.keepTemplate || keepForDebugging) {
    log.info(
      `Keeping image template ` +
        `${name}` +
        `${keepForDebugging ? ' and its build VM for debugging (onCustomizerError: abort)' : ''}.`,
    );
  } else if (stagedVhd) {
    log.warn(
      `The VHD ${stagedVhd} is in Image Builder's staging resource group, which is deleted ` +
        `with the image template: template ${name} is kept. ` +
        (`Copy the VHD, then delete it (az image builder delete -g ${rg} -n ${name}, or a ` +
          `later action: cleanup); a vhdUri input writes the VHD to your own storage instead.`),
    );
  } else {
    await deleteTemplate(clients, rg, name, params, log);
  }

  for (const o of runOutputs)
    log.info(
      (
        `Run output ${o.name}: ${o.provisioningState ?? ''} ` +
        `${o.artifactId ?? o.artifactUri ?? ''}`
      ).trimEnd(),
    );
  switch (runState) {
    case 'Succeeded':
      return outcomeOf(
        r,
        `Image built by template ${name}: ${runOutputs
          .map((o) => o.artifactId ?? o.artifactUri)
          .filter(Boolean)
          .join(', ')}.`,
        attachments,
      );
    case 'PartiallySucceeded':
      log.warn(`Some distribution targets failed: ${message}`);
      return outcomeOf(
        r,
        `The image was built but not every distribution target succeeded: ${message}`,
        attachments,
      );
    default: {
      for (const line of f.printer.explanation()) log.error(line);
      return outcomeOf(
        r,
        `The Image Builder run of template ${name} ` +
          `${runState === 'Canceled' ? 'was cancelled' : 'failed'}: ${message}`,
        attachments,
      );
    }
  }
}

/**
 * A VHD written without `uri` lives in the staging group, so deleting the template would delete it.
 */
function stagedVhdUri(t: ImageTemplate, runOutputs: RunOutputInfo[]): string | undefined {
  for (const d of t.distribute ?? []) {
    if (d.type !== 'VHD' || (d as { uri?: string }).uri) continue;
    const out = runOutputs.find(
      (o) => o.name === d.runOutputName && o.artifactUri && o.provisioningState === 'Succeeded',
    );
    if (out) return out.artifactUri;
  }
  return undefined;
}

async function deleteTemplate(
  clients: BuildClients,
  rg: string,
  name: string,
  params: FollowParams,
  log: Logger,
): Promise<void> {
  try {
    await clients.aib.virtualMachineImageTemplates.delete(rg, name, {
      updateIntervalInMs: lroInterval(params),
    });
    log.info(`Deleted image template ${name} (and its staging resources).`);
  } catch (err) {
    log.warn(
      `Deleting image template ${name} failed: ${describeArmError(err)}. Delete it with: ` +
        `az image builder delete -g ${rg} -n ${name}`,
    );
  }
}

/**
 * Long-running operations are polled as often as the build (Azure's Retry-After wins when it is
 * longer).
 */
function lroInterval(params: FollowParams): number {
  return Math.min(params.pollIntervalMs, 5_000);
}
