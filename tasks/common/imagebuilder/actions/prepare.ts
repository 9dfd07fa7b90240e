/**
 * What `build`, `start` and `validate` do before the template exists: resolve the source, check
 * before any write (access/preflight.ts), upload the build artifacts and local files, compose the
 * template and name it; printed. Only a build writes (the identity, the uploads); `validate` and
 * the naming for `wait`/`cancel` add what it would write to a plan.
 */
import * as path from 'path';
import { InputError } from '../../core/errors';
import { MemoryLogger } from '../../core/logger';
import { PlanItem } from '../../core/plan';
import { preflight } from '../access/preflight';
import { BuildClients } from '../clients';
import { ResolvedSource, resolveSource } from '../inputs/sourceResolution';
import { warnHostedTimeout } from '../run/hostedTimeout';
import { composeTemplate, TemplateDocument, withTemplateName } from '../template/compose';
import { Customizer, describeCustomizer } from '../template/customizers';
import { templateName } from '../template/naming';
import { ArmValue } from '../template/templateFile/armExpressions';
import { applyTemplateFile, sourceRefOf } from '../template/templateFile/applyFile';
import { loadTemplate } from '../template/templateFile/loadTemplate';
import { prepareArtifacts, PreparedArtifacts } from '../uploads/buildArtifacts';
import {
  fileStepsOf,
  FILES_TAG,
  findLocalFiles,
  uploadLocalFiles,
  withValidators,
} from '../uploads/localFiles';
import { BuildOptions } from './action';

export interface PrepareOptions extends BuildOptions {
  /** The SDK clients of the action. */
  clients: BuildClients;
}

/** The template, ready to send, and what it was made from. */
export interface Prepared {
  /** The source, resolved to the exact image. */
  source: ResolvedSource;
  /** The template as it is printed and sent (a SAS, if any, put in only when it is sent). */
  doc: TemplateDocument;
  /** Its name, derived from the job and the content (template/naming.ts). */
  name: string;
  /** Its customisers, described, for the log's sections and the summary. */
  customizers: string[];
  /** The uploaded build-artifacts archive, if packagePath is set. */
  artifacts?: PreparedArtifacts;
  /** URLs of the local files uploaded for it (uploads/localFiles.ts). */
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
export async function prepare(o: PrepareOptions): Promise<Prepared> {
  const { azure, clients, params, pipeline, log, signal } = o;
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
  const source = await resolveSource({
    compute: clients.compute,
    ref: sourceRef,
    location: params.location,
    declaredOs: params.osType,
    log,
    signal,
  }).catch((err: unknown) => {
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
  const { identity, plan: identityPlan } = await preflight({
    azure,
    clients,
    params,
    source,
    template: {
      draft,
      fileIdentity: file?.identity,
      uploads: !!params.customize.packagePath || localFiles.length > 0,
    },
    log,
    signal,
  });
  warnHostedTimeout(pipeline, params.action, params.settings.buildTimeoutMinutes, log);
  // Unless it builds, the uploads write nothing and add what they would do to the plan.
  const plan =
    params.action === 'build' || params.action === 'start' ? undefined : [...identityPlan];
  // Before the archive: a given account the identity can't read is refused before any write.
  const placed =
    fileInput && localFiles.length
      ? await uploadLocalFiles({
          azure,
          clients,
          steps,
          files: localFiles,
          input: fileInput,
          resourceGroup: rg,
          location: params.location,
          principalId: identity.principalId,
          storageAccount: params.customize.uploads.storageAccount,
          plan,
          log,
          signal,
        })
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
    ? await prepareArtifacts({
        azure,
        clients,
        artifacts: a,
        resourceGroup: rg,
        location: params.location,
        osType: source.osType,
        principalId: identity.principalId,
        buildVmIdentities: vmIdentities,
        buildTimeoutMinutes: params.settings.buildTimeoutMinutes,
        plan,
        log,
        signal,
      })
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
 * `wait`/`cancel` without templateName: the template this job's inputs give (as `build` and `start`
 * name it).
 */
export async function nameFromInputs(o: PrepareOptions): Promise<string> {
  if (o.params.customize.packagePath) {
    // Naming it would mean packaging the folder again (its archive's checksum is in the template).
    throw new InputError(
      'templateName',
      `is required for action ${o.params.action} when packagePath is set`,
      'the templateName output of the start step',
    );
  }
  return (await prepare(o)).name;
}
