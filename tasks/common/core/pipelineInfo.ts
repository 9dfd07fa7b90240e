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
  /** System.JobId: the same for every attempt of a job (UpdateHostPool's lease). */
  jobId?: string;
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
