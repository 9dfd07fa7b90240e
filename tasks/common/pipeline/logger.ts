import * as tl from 'azure-pipelines-task-lib/task';
import { Logger } from '../core/logger';

/** The core's Logger as Azure Pipelines logging commands. */
export class PipelineLogger implements Logger {
  private inGroup = false;

  info(message: string): void {
    console.log(inert(message));
  }
  debug(message: string): void {
    tl.debug(message);
  }
  warn(message: string): void {
    tl.warning(message);
  }
  error(message: string): void {
    tl.error(message);
  }

  group(title: string): void {
    this.endGroup();
    console.log(`##[group]${inert(title).replace(/[\r\n]+/g, ' ')}`);
    this.inGroup = true;
  }

  endGroup(): void {
    if (this.inGroup) console.log('##[endgroup]');
    this.inGroup = false;
  }

  progress(percent: number, description: string): void {
    tl.setProgress(Math.max(0, Math.min(100, Math.round(percent))), description);
  }

  secret(value: string): void {
    if (value) tl.setSecret(value);
  }
}

/**
 * Plain text with no logging command in it: the agent reads `##vso[` anywhere in a line as one, and
 * `##[` at a line's start as a format, so a printed value (a template holding the user's script, a
 * tag) would otherwise set variables or end the task. task-lib's own commands need no such care:
 * the agent reads a line's first command only, and task-lib escapes newlines in their text.
 */
function inert(text: string): string {
  return text.replace(/##(vso)?\[/g, '#\u200b#$1[');
}
