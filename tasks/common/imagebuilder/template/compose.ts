/**
 * The whole image template in the REST shape of imagebuilder 2024-02-01 (`{location, tags,
 * identity, properties}`): what is printed, hashed into the template's name and sent.
 * `toSdkTemplate` flattens it for @azure/arm-imagebuilder 5, whose models carry `properties` one
 * level up.
 */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import { PipelineInfo } from '../../core/pipelineInfo';
import { provenanceTags } from '../../core/provenance';
import { ARTIFACTS_TAG } from '../uploads/buildArtifacts';
import { composeCustomizers, Customizer } from './customizers';
import { composeDistributors } from './distributors';
import { BuildParams } from '../inputs/params';
import { ResolvedSource } from '../inputs/sourceResolution';

export interface TemplateDocument {
  location: string;
  tags: Record<string, string>;
  identity: { type: 'UserAssigned'; userAssignedIdentities: Record<string, Record<string, never>> };
  properties: {
    source: Record<string, unknown>;
    customize: Customizer[];
    distribute: Record<string, unknown>[];
    [key: string]: unknown;
  };
}

/** Tag on templates and artifacts: the template name (set once the name is known). */
export const TEMPLATE_TAG = 'gip.template';
/** Tag on templates a cancelled run could not remove: `action: cleanup` looks for it. */
export const CLEANUP_TAG = 'gip.cleanup';

/** Tag on templates: the source's OS, for `wait` on a template it did not compose. */
const OS_TAG = 'gip.os';

/** `artifacts`: the customisers and URL of the uploaded build-artifacts archive (artifacts.ts). */
export function composeTemplate(
  params: BuildParams,
  source: ResolvedSource,
  identityId: string,
  subscriptionId: string,
  pipeline: PipelineInfo,
  artifacts?: { customizers: Customizer[]; url: string },
): TemplateDocument {
  const tags = provenanceTags(pipeline, source.description);
  const s = params.settings;
  const properties: TemplateDocument['properties'] = {
    source: source.templateSource,
    customize: composeCustomizers(params.customize, source.osType, artifacts?.customizers),
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
      : `/subscriptions/${subscriptionId}/resourceGroups/${s.stagingResourceGroup}`;
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
  return {
    location: params.location,
    tags: {
      ...tags,
      'gip.managedBy': 'BuildImage',
      [OS_TAG]: source.osType,
      ...(artifacts ? { [ARTIFACTS_TAG]: artifacts.url } : {}),
    },
    identity: { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } },
    properties,
  };
}

/** Adds the template's name to its tags and every distributor's artifact tags. */
export function withTemplateName(doc: TemplateDocument, name: string): TemplateDocument {
  const copy = JSON.parse(JSON.stringify(doc)) as TemplateDocument;
  copy.tags[TEMPLATE_TAG] = name;
  for (const d of copy.properties.distribute)
    d.artifactTags = {
      ...(d.artifactTags as Record<string, string> | undefined),
      [TEMPLATE_TAG]: name,
    };
  return copy;
}

/** The SDK's flattened model of the same document. */
export function toSdkTemplate(doc: TemplateDocument): ImageTemplate {
  return {
    location: doc.location,
    tags: doc.tags,
    identity: doc.identity,
    ...doc.properties,
  } as unknown as ImageTemplate;
}
