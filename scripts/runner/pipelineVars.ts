import * as path from 'path';

/**
 * The pipeline variables the runner gives a task by default, as a hosted agent would for a YAML
 * run. Every one can be overridden with --var Name=value. Documented in README.md.
 */
export function defaultPipelineVars(
  workdir: string,
  tempDir: string,
  collectionUri: string,
): Record<string, string> {
  return {
    'System.CollectionUri': collectionUri,
    'System.TeamFoundationCollectionUri': collectionUri,
    'System.TeamProject': 'simproject',
    'System.TeamProjectId': '6a0e7c2b-3f4d-4e5a-8b9c-0d1e2f3a4b5c',
    'System.HostType': 'build',
    'System.ServerType': 'Hosted',
    'System.DefinitionId': '42',
    'System.PlanId': '3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
    'System.JobId': '7c6b5a49-3827-4160-9f5e-4d3c2b1a0f9e',
    'System.StageName': 'Build',
    'System.StageAttempt': '1',
    'System.PhaseName': 'Image',
    'System.JobName': 'Image',
    'System.JobDisplayName': 'Image',
    'System.JobAttempt': '1',
    'System.DefaultWorkingDirectory': workdir,
    'Build.BuildId': '1001',
    'Build.BuildNumber': '20261121.1',
    'Build.DefinitionName': 'golden-image',
    'Build.Repository.Name': 'golden-image',
    'Build.Repository.Uri': `${collectionUri}simproject/_git/golden-image`,
    'Build.SourceVersion': '0123456789abcdef0123456789abcdef01234567',
    'Build.SourceBranch': 'refs/heads/main',
    'Build.SourcesDirectory': workdir,
    'Build.ArtifactStagingDirectory': path.join(tempDir, 'a'),
    'Agent.TempDirectory': tempDir,
    'Agent.WorkFolder': path.dirname(tempDir),
    'Agent.Name': 'Hosted Agent',
    'Agent.IsSelfHosted': '0',
    'Agent.OS': process.platform === 'win32' ? 'Windows_NT' : 'Linux',
    'Agent.JobName': 'Image',
    'Agent.Version': '4.264.2',
  };
}
