import { spawnSync } from 'child_process';

export interface TaskRun {
  stdout: string;
  /** The `result` of `##vso[task.complete ...]`, or undefined if the task never completed. */
  result?: string;
  /** The message of the task.complete command. */
  message?: string;
  errors: string[];
}

/**
 * Runs a script as the agent runs a task (its own process, only the given environment) and reads
 * its logging commands.
 */
export function runNode(script: string, env: Record<string, string>, cwd: string): TaskRun {
  const child = spawnSync(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return parseTaskOutput(child.stdout + child.stderr);
}

export function parseTaskOutput(stdout: string): TaskRun {
  const complete = /##vso\[task\.complete result=([A-Za-z]+);[^\]]*\](.*)/.exec(stdout);
  const errors = [
    ...stdout.matchAll(/##vso\[task\.(?:issue|logissue) type=error[^\]]*\](.*)/g),
  ].map((m) => m[1]);
  return { stdout, result: complete?.[1], message: complete?.[2], errors };
}
