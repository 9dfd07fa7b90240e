import { InputReader } from '../../../tasks/common/core/inputReader';
import { PipelineInfo } from '../../../tasks/common/core/pipelineInfo';

export const PIPELINE: PipelineInfo = {
  collectionUri: 'https://dev.azure.com/contoso/',
  teamProject: 'images',
  definitionName: 'golden-image',
  definitionId: '42',
  buildId: '1001',
  buildNumber: '20261121.3',
  stageName: 'Build',
  jobName: 'Image',
  jobAttempt: 1,
  repositoryName: 'golden-image',
  repositoryUri: 'https://dev.azure.com/contoso/images/_git/golden-image',
  sourceVersion: '0123456789abcdef0123456789abcdef01234567',
  runUrl: 'https://dev.azure.com/contoso/images/_build/results?buildId=1001',
  hostType: 'build',
  hostedAgent: true,
  defaultWorkingDirectory: '/work',
};

export function inputs(values: Record<string, string>): InputReader {
  return new InputReader({ get: (n) => values[n] || undefined, secret: () => undefined });
}

export const SUB = '1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f';
export const IMAGE =
  `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute` + `/images/img-1`;
export const VM =
  `/subscriptions/${SUB}/resourceGroups/rg-build/providers/Microsoft.Compute/virtualMachines` +
  `/vm-1`;
export const DEF =
  `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries` +
  `/golden/images/win11`;
