import * as tl from 'azure-pipelines-task-lib/task';
import { Logger } from '../core/logger';

/** The values registered so far, longest first (a secret inside a longer one goes after it). */
let registered: string[] = [];

/**
 * Marks a value secret: the agent masks it in the log from now on. Files the task attaches are
 * uploaded as they are, unmasked: `maskSecrets` them first.
 */
export function registerSecret(value: string): void {
  if (!value) return;
  // Sorted here, once per secret, not for every line printed.
  if (!registered.includes(value))
    registered = [...registered, value].sort((x, y) => y.length - x.length);
  tl.setSecret(value);
}

/** `text` with every value registered so far replaced by `***`, as the agent shows the log. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const value of registered) out = out.split(value).join('***');
  return out;
}

/** The core's Logger as Azure Pipelines logging commands. */
export class PipelineLogger implements Logger {
  private inGroup = false;

  // Masked here too, not only by the agent: relayed text (the build's own log) may hold a secret
  // the task registered, and the task prints none on purpose.
  info(message: string): void {
    console.log(inert(maskSecrets(message)));
  }
  debug(message: string): void {
    tl.debug(maskSecrets(message));
  }
  warn(message: string): void {
    tl.warning(maskSecrets(message));
  }
  error(message: string): void {
    tl.error(maskSecrets(message));
  }

  group(title: string): void {
    this.endGroup();
    console.log(`##[group]${inert(maskSecrets(title)).replace(/[\r\n]+/g, ' ')}`);
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
    registerSecret(value);
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
