/**
 * Microsoft-hosted agents stop a job after 60 minutes on private projects, whatever the build
 * timeout says; a build that may last longer should start in one job and be waited for in another.
 */
import { Logger } from '../../core/logger';
import { PipelineInfo } from '../../core/pipelineInfo';

const HOSTED_JOB_LIMIT_MINUTES = 60;

/** Warns (never fails) when a build this job would wait for may outlast a hosted agent's job. */
export function warnHostedTimeout(
  pipeline: Pick<PipelineInfo, 'hostedAgent'>,
  action: string,
  buildTimeoutMinutes: number,
  log: Logger,
): void {
  // `start` returns at once and `validate` builds nothing: only `build` waits in this job.
  if (
    !pipeline.hostedAgent ||
    action !== 'build' ||
    buildTimeoutMinutes <= HOSTED_JOB_LIMIT_MINUTES
  )
    return;
  log.warn(
    `The build timeout is ${buildTimeoutMinutes} minutes, but on a Microsoft-hosted agent ` +
      `the job may be stopped at ${HOSTED_JOB_LIMIT_MINUTES} minutes on private projects. ` +
      ('For a longer build, use action: start here and action: wait (with its templateName ' +
        'output) in a later job, which has its own time limit.'),
  );
}
