import * as tl from 'azure-pipelines-task-lib/task';
import { isReleaseHost, PipelineInfo } from '../core/pipelineInfo';

/**
 * The pipeline variables the core needs, read once. Release pipelines use their Release.* names.
 */
export function pipelineInfo(): PipelineInfo {
  const v = (name: string, fallback = '') => tl.getVariable(name) ?? fallback;
  const collectionUri = v('System.CollectionUri', v('System.TeamFoundationCollectionUri'));
  const teamProject = v('System.TeamProject');
  const hostType = v('System.HostType', 'build').toLowerCase();
  const release = isReleaseHost(hostType);
  const buildId = release ? v('Release.ReleaseId', v('Build.BuildId')) : v('Build.BuildId');
  const uri = (suffix: string) =>
    `${collectionUri.replace(/\/?$/, '/')}${encodeURIComponent(teamProject)}${suffix}`;
  return {
    collectionUri,
    teamProject,
    definitionName: release ? v('Release.DefinitionName') : v('Build.DefinitionName'),
    definitionId: release ? v('Release.DefinitionId') : v('System.DefinitionId'),
    buildId,
    buildNumber: release
      ? v('Release.ReleaseName', v('Build.BuildNumber'))
      : v('Build.BuildNumber'),
    ...(release ? { artifactBuildNumber: v('Build.BuildNumber') } : {}),
    stageName: release
      ? v('Release.EnvironmentName', v('System.StageName'))
      : v('System.StageName'),
    jobName: v('System.JobName', v('Agent.JobName')),
    jobId: v('System.JobId') || undefined,
    jobAttempt: Number(v('System.JobAttempt', '1')) || 1,
    repositoryName: v('Build.Repository.Name'),
    repositoryUri: v('Build.Repository.Uri'),
    sourceVersion: v('Build.SourceVersion'),
    runUrl: release
      ? uri(`/_releaseProgress?releaseId=${buildId}`)
      : uri(`/_build/results?buildId=${buildId}`),
    hostType,
    hostedAgent: /^(0|false)$/i.test(v('Agent.IsSelfHosted')),
    defaultWorkingDirectory: v('System.DefaultWorkingDirectory', process.cwd()),
  };
}
