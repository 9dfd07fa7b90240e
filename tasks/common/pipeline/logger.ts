import * as tl from 'azure-pipelines-task-lib/task';
import { Logger } from '../core/logger';

/** The core's Logger as Azure Pipelines logging commands. */
export class PipelineLogger implements Logger {
  private inGroup = false;

  info(message: string): void {
    console.log(message);
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
    console.log(`##[group]${title}`);
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
