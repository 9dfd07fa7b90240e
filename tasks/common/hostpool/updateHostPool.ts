/**
 * UpdateHostPool's core: read and check the pool and the image, plan, then by action: `plan`
 * prints the plan and writes nothing; `rollout` and `abort` run execute/ (hostpool-exec).
 */
import { NotImplementedError } from '../core/errors';
import { TaskOutcome } from '../core/outcome';

export function updateHostPool(): Promise<TaskOutcome> {
  return Promise.reject(new NotImplementedError('UpdateHostPool'));
}
