/**
 * Who is running the task: the pipeline, run, stage, job and commit, for provenance tags and names.
 */
export interface PipelineInfo {
  collectionUri: string;
  teamProject: string;
  definitionName: string;
  definitionId: string;
  buildId: string;
  buildNumber: string;
  stageName: string;
  jobName: string;
  jobAttempt: number;
  repositoryName: string;
  repositoryUri: string;
  sourceVersion: string;
  /** The run's page: {collection}{project}/_build/results?buildId={id}. */
  runUrl: string;
  /** build or release (classic release pipelines). */
  hostType: string;
  /** Microsoft-hosted agents stop jobs after 60 minutes on private projects. */
  hostedAgent: boolean;
  defaultWorkingDirectory: string;
}

/** Classic release pipelines (and their deployment jobs) name things with Release.* variables. */
export function isReleaseHost(hostType: string): boolean {
  return hostType === 'release' || hostType === 'deployment';
}
