/**
 * What `build`, `start` and `validate` do before the template exists: resolve the source, check
 * before any write (access/preflight.ts), upload the build artifacts and local files, compose the
 * template and name it; printed. Only a build writes (the identity, the uploads); `validate` and
 * the naming for `wait`/`cancel` add what it would write to a plan.
 */
import * as path from 'path';
import { scanFolder } from '../../artifacts/folderScan';
import { NETWORK_API, requireExisting } from '../../azure/existing';
import { InputError } from '../../core/errors';
import { PlanItem } from '../../core/plan';
import { preflight } from '../access/preflight';
import { BuildClients } from '../clients';
import { ResolvedSource, resolveSource } from '../inputs/sourceResolution';
import { warnHostedTimeout } from '../run/hostedTimeout';
import { composeTemplate, TemplateDocument } from '../template/compose';
import { composeCustomizers, Customizer, describeCustomizer } from '../template/customizers';
import { buildVmIdentitiesOf, outlineTemplate } from '../template/outline';
import { ArmValue } from '../template/templateFile/armExpressions';
import { sourceRefOf, templateFileWarnings } from '../template/templateFile/applyFile';
import { LoadedTemplate, loadTemplate } from '../template/templateFile/loadTemplate';
import { ARTIFACTS_TAG, prepareArtifacts, PreparedArtifacts } from '../uploads/buildArtifacts';
import {
  fileStepsOf,
  FILES_TAG,
  FileSteps,
  findLocalFiles,
  LocalFile,
  uploadLocalFiles,
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
  /** The principal Image Builder and the build VM run as, when Azure gives it. */
  principalId?: string;
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
 * One way through: what the inputs and files say, the source, the pre-flight (Image Builder's
 * identity), the uploads (which need that identity), then the template, composed once and printed.
 * Writes only the identity and the uploads (nothing unless it builds).
 */
export async function prepare(o: PrepareOptions): Promise<Prepared> {
  const { azure, clients, params, pipeline, log, signal } = o;
  const rg = params.resourceGroup;
  log.group('Source and pre-flight checks');
  const file = readFileInput(o);
  // A secure parameter's value (from templateParameters or a .bicepparam) is never printed.
  for (const s of file.template?.secrets ?? []) log.secret(s);
  for (const w of params.customize.fromFile?.warnings ?? []) log.warn(`customizersFile: ${w}`);
  for (const w of params.inputWarnings ?? []) log.warn(w);
  const source = await resolveSourceOf(o, file.template);
  // Refused before any write: a restart or Windows Update on a Linux source.
  const inputSteps = composeCustomizers(params.customize, source.osType);
  const outline = outlineTemplate({
    params,
    source,
    file: file.template,
    subscriptionId: azure.subscriptionId,
    pipeline,
  });
  // Links out of the artifacts folder, and subnets that are not there, are refused before the
  // pre-flight or the uploads write.
  if (params.customize.packagePath) await scanFolder(params.customize.packagePath.folder);
  const { subnetId, containerInstanceSubnetId } = params.settings;
  for (const [input, id] of Object.entries({ subnetId, containerInstanceSubnetId }))
    if (id)
      await requireExisting({
        azure,
        id,
        apiVersion: NETWORK_API,
        input,
        what: 'the subnet',
        expected: "an existing subnet in the build's region",
        signal,
      });
  const { identity, plan: identityPlan } = await preflight({
    azure,
    clients,
    params,
    source,
    outline,
    fileIdentity: file.template?.identity,
    uploads: !!params.customize.packagePath || file.localFiles.length > 0,
    log,
    signal,
  });
  warnHostedTimeout(pipeline, params.action, params.settings.buildTimeoutMinutes, log);
  // Unless it builds, the uploads write nothing and add what they would do to the plan.
  const plan =
    params.action === 'build' || params.action === 'start' ? undefined : [...identityPlan];
  // Before the archive: a given account the identity can't read is refused before any write.
  const placed =
    file.input && file.localFiles.length
      ? await uploadLocalFiles({
          azure,
          clients,
          steps: file.steps,
          files: file.localFiles,
          input: file.input,
          resourceGroup: rg,
          location: params.location,
          principalId: identity.principalId,
          storageAccount: params.customize.uploads.storageAccount,
          plan,
          log,
          signal,
        })
      : undefined;
  const a = params.customize.packagePath;
  const artifacts = a
    ? await prepareArtifacts({
        azure,
        clients,
        artifacts: a,
        resourceGroup: rg,
        location: params.location,
        osType: source.osType,
        principalId: identity.principalId,
        buildVmIdentities: buildVmIdentitiesOf(outline),
        buildTimeoutMinutes: params.settings.buildTimeoutMinutes,
        plan,
        log,
        signal,
      })
    : undefined;
  const fileSteps = placed?.steps ?? file.steps;
  const { name, doc } = composeTemplate({
    outline,
    identityId: identity.id,
    customize: [
      ...(artifacts?.customizers ?? []),
      ...inputSteps,
      ...(fileSteps.customize as Customizer[]),
    ],
    inVMValidations: placed?.steps.inVMValidations,
    uploadTags: {
      ...(artifacts ? { [ARTIFACTS_TAG]: artifacts.url } : {}),
      ...(placed ? { [FILES_TAG]: placed.tag } : {}),
    },
    pipeline,
  });
  // The file's warnings just before the template they are about.
  if (file.template)
    for (const w of templateFileWarnings(file.template, params.location)) log.warn(w);
  log.group(`Image template ${name} (resource group ${rg})`);
  log.info(JSON.stringify(doc, null, 2));
  log.endGroup();
  return {
    source,
    doc,
    name,
    customizers: doc.properties.customize.map(describeCustomizer),
    principalId: identity.principalId,
    artifacts,
    files: placed?.urls ?? [],
    plan: plan ?? [],
  };
}

/** A customisers or template file: its steps, and the local files they name. */
interface FileInput {
  /** The templateFile input, loaded. */
  template?: LoadedTemplate;
  /** The input the steps come from, for refusals; undefined: neither file is given. */
  input?: 'templateFile' | 'customizersFile';
  steps: FileSteps;
  /** Local paths in the steps, checked and hashed; no request is made. */
  localFiles: LocalFile[];
}

function readFileInput(o: PrepareOptions): FileInput {
  const { azure, params } = o;
  // A template file is evaluated first: its source is what is resolved, and a refusal comes before
  // any write.
  const template = params.templateFile
    ? loadTemplate(params.templateFile.doc, {
        subscriptionId: azure.subscriptionId,
        resourceGroup: params.resourceGroup,
        location: params.location,
        parameters: params.templateFile.parameters,
        identityGiven: !!params.identity,
      })
    : undefined;
  const input = params.templateFile
    ? 'templateFile'
    : params.customize.fromFile
      ? 'customizersFile'
      : undefined;
  const steps = fileStepsOf(
    (template?.properties.customize ??
      params.customize.fromFile?.customizers ??
      []) as Customizer[],
    template?.properties,
  );
  const localFiles = input
    ? findLocalFiles(
        steps,
        input,
        path.dirname(params.templateFile?.file ?? params.customize.fromFile!.path),
        o.pipeline.defaultWorkingDirectory || process.cwd(),
      )
    : [];
  return { template, input, steps, localFiles };
}

/** The source the inputs or the template file name, resolved to the exact image. */
async function resolveSourceOf(
  o: PrepareOptions,
  template: LoadedTemplate | undefined,
): Promise<ResolvedSource> {
  const { params } = o;
  const ref = template
    ? sourceRefOf(template.properties.source as Record<string, ArmValue>)
    : params.source;
  if (!ref)
    throw new InputError(
      'sourceImage',
      'a value is required',
      'a marketplace URN, a gallery image version id or a managed image id; or a templateFile',
    );
  return resolveSource({
    compute: o.clients.compute,
    ref,
    location: params.location,
    declaredOs: params.osType,
    log: o.log,
    signal: o.signal,
  }).catch((err: unknown) => {
    // The file, not the sourceImage input, named that source.
    if (template && err instanceof InputError && err.input === 'sourceImage')
      throw new InputError(
        'templateFile',
        `properties.source: ` +
          `${err.message.replace(/^Input 'sourceImage': /, '').replace(/\.$/, '')}`,
      );
    throw err;
  });
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
