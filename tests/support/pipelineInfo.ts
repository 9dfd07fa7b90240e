import { PipelineInfo } from '../../tasks/common/core/pipelineInfo';

/** A build pipeline run on a Microsoft-hosted agent, as the unit tests see it. */
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
