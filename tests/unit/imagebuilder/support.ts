/**
 * What the imagebuilder tests share: a subscription and its resource ids, a pipeline, inputs as the
 * task reads them, a resolved source, and the template the inputs compose.
 */
import { InputReader } from '../../../tasks/common/core/inputReader';
import { PipelineInfo } from '../../../tasks/common/core/pipelineInfo';
import { BuildParams } from '../../../tasks/common/imagebuilder/inputs/params';
import { ResolvedSource } from '../../../tasks/common/imagebuilder/inputs/sourceResolution';
import { composeTemplate } from '../../../tasks/common/imagebuilder/template/compose';
import { composeCustomizers } from '../../../tasks/common/imagebuilder/template/customizers';
import {
  outlineTemplate,
  TemplateOutline,
} from '../../../tasks/common/imagebuilder/template/outline';

export const SUB = '00000000-0000-0000-0000-000000000001';
export const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
/** Image Builder's identity. */
export const UAI = `${rg('rg')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib`;

/** An image definition in rg. */
export const DEFINITION = `${rg('rg')}/providers/Microsoft.Compute/galleries/gal/images/win11`;
/** The inputs a build needs: where, as whom, from what, to what. */
export const BUILD_INPUTS = {
  location: 'West Europe',
  resourceGroup: 'rg',
  managedIdentity: 'aib',
  sourceImage: 'MicrosoftWindowsDesktop:windows-11:win11-24h2-ent',
  galleryImageDefinitionId: DEFINITION,
};

export const PIPELINE: PipelineInfo = {
  collectionUri: 'https://dev.azure.com/org/',
  teamProject: 'p',
  definitionName: 'golden image',
  definitionId: '7',
  buildId: '42',
  buildNumber: '20261121.3',
  stageName: 'Build',
  jobName: 'Image',
  jobAttempt: 1,
  repositoryName: 'repo',
  repositoryUri: 'https://dev.azure.com/org/p/_git/repo',
  sourceVersion: 'abc',
  runUrl: 'https://dev.azure.com/org/p/_build/results?buildId=42',
  hostType: 'build',
  hostedAgent: true,
  defaultWorkingDirectory: '/src',
};

/** Inputs as the task reads them: set ones by name, the others unset. */
export const reader = (values: Record<string, string>) =>
  new InputReader({ get: (n) => values[n], secret: () => undefined });

export const SOURCE: ResolvedSource = {
  templateSource: { type: 'PlatformImage', publisher: 'p', offer: 'o', sku: 's', version: '1.2.3' },
  osType: 'Windows',
  description: 'p:o:s:1.2.3',
};

/** The template the inputs compose from SOURCE, run as UAI, with nothing uploaded. */
export function compose(params: BuildParams, pipeline = PIPELINE) {
  return composeTemplate({
    outline: outlineTemplate({ params, source: SOURCE, subscriptionId: SUB, pipeline }),
    identityId: UAI,
    customize: composeCustomizers(params.customize, SOURCE.osType),
    uploadTags: {},
    pipeline,
  });
}

/** An outline with a marketplace source, no targets, and these properties over them. */
export function outline(properties: Partial<TemplateOutline['properties']>): TemplateOutline {
  return {
    location: 'westeurope',
    tags: {},
    properties: { source: { type: 'PlatformImage' }, distribute: [], ...properties },
  };
}
