/**
 * The template less its steps (customisers, in-VM validators) and identity: the source, the
 * targets and the build settings, from the inputs with a template file's properties over them
 * (templateFile/applyFile.ts). It is all the pre-flight checks, and it is known before anything is
 * uploaded; compose.ts adds the rest once.
 */
import { PipelineInfo } from '../../core/pipelineInfo';
import { provenanceTags } from '../../core/provenance';
import { BuildParams } from '../inputs/params';
import { ResolvedSource } from '../inputs/sourceResolution';
import { composeDistributors } from './distributors';
import { applyTemplateFile } from './templateFile/applyFile';
import { LoadedTemplate } from './templateFile/loadTemplate';

export interface TemplateOutline {
  location: string;
  tags: Record<string, string>;
  properties: {
    source: Record<string, unknown>;
    distribute: Record<string, unknown>[];
    [key: string]: unknown;
  };
}

/** Tag on templates: the source's OS, for `wait` on a template it did not compose. */
const OS_TAG = 'gip.os';

export interface OutlineOptions {
  params: BuildParams;
  /** The source, resolved. */
  source: ResolvedSource;
  /** The templateFile input, loaded; its properties win over the inputs'. */
  file?: LoadedTemplate;
  /** The connection's subscription: where a staging group given by name is. */
  subscriptionId: string;
  /** The pipeline, run, stage and job: the provenance tags. */
  pipeline: PipelineInfo;
}

export function outlineTemplate(o: OutlineOptions): TemplateOutline {
  const { params, source } = o;
  const tags = provenanceTags(o.pipeline, source.description);
  const s = params.settings;
  const properties: TemplateOutline['properties'] = {
    source: source.templateSource,
    distribute: composeDistributors(params.distribute, params.location, tags),
    buildTimeoutInMinutes: s.buildTimeoutMinutes,
  };
  const vmProfile: Record<string, unknown> = {};
  if (s.vmSize) vmProfile.vmSize = s.vmSize;
  if (s.osDiskSizeGB) vmProfile.osDiskSizeGB = s.osDiskSizeGB;
  if (s.buildVmIdentities.length) vmProfile.userAssignedIdentities = s.buildVmIdentities;
  if (s.subnetId) {
    vmProfile.vnetConfig = {
      subnetId: s.subnetId,
      ...(s.proxyVmSize ? { proxyVmSize: s.proxyVmSize } : {}),
      ...(s.containerInstanceSubnetId
        ? { containerInstanceSubnetId: s.containerInstanceSubnetId }
        : {}),
    };
  }
  if (Object.keys(vmProfile).length) properties.vmProfile = vmProfile;
  if (s.stagingResourceGroup) {
    properties.stagingResourceGroup = s.stagingResourceGroup.startsWith('/')
      ? s.stagingResourceGroup
      : `/subscriptions/${o.subscriptionId}/resourceGroups/${s.stagingResourceGroup}`;
  }
  if (Object.keys(s.managedResourceTags).length)
    properties.managedResourceTags = s.managedResourceTags;
  const v = s.validation;
  if (v.script || v.sourceValidationOnly || v.continueOnFailure) {
    properties.validate = {
      ...(v.script
        ? {
            inVMValidations: [
              {
                type: source.osType === 'Windows' ? 'PowerShell' : 'Shell',
                name: 'validation-script',
                inline: v.script,
              },
            ],
          }
        : {}),
      ...(v.sourceValidationOnly ? { sourceValidationOnly: true } : {}),
      ...(v.continueOnFailure ? { continueDistributeOnFailure: true } : {}),
    };
  }
  if (s.optimizeBoot) properties.optimize = { vmBoot: { state: 'Enabled' } };
  if (s.onCustomizerError || s.onValidationError) {
    properties.errorHandling = {
      ...(s.onCustomizerError ? { onCustomizerError: s.onCustomizerError } : {}),
      ...(s.onValidationError ? { onValidationError: s.onValidationError } : {}),
    };
  }
  const outline: TemplateOutline = {
    location: params.location,
    tags: { ...tags, 'gip.managedBy': 'BuildImage', [OS_TAG]: source.osType },
    properties,
  };
  return o.file ? applyTemplateFile(outline, o.file) : outline;
}

/** The build VM's identities as the template has them (a template file's vmProfile wins). */
export function buildVmIdentitiesOf(outline: TemplateOutline): string[] {
  const vm = outline.properties.vmProfile as { userAssignedIdentities?: string[] } | undefined;
  return vm?.userAssignedIdentities ?? [];
}
