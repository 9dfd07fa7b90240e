/**
 * Who is running the task: the pipeline, run, stage, job and commit, for provenance tags and names.
 */
export interface PipelineInfo {
  collectionUri: string;
  teamProject: string;
  definitionName: string;
  definitionId: string;
  buildId: string;
  /** The run's number; in a classic release, the release's name (`Release-12`). */
  buildNumber: string;
  /**
   * In a classic release, the primary artifact's build number (Build.BuildNumber): the build that
   * made the image. Absent elsewhere.
   */
  artifactBuildNumber?: string;
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

/** Classic release pipelines (and their deployment jobs) name things with Release.* variables. */
export function isReleaseHost(hostType: string): boolean {
  return hostType === 'release' || hostType === 'deployment';
}

/** The number a `buildNumber` version strategy reads: the image's build, else the run's. */
export function versionNumberOf(p: PipelineInfo): string {
  return p.artifactBuildNumber || p.buildNumber;
}
