/**
 * What every step of a task run shares, whatever the task: the logger, the abort signal, the
 * pipeline that runs it, and the warnings that make its result SucceededWithIssues (and that its
 * summary lists). A domain extends it with its own clients and references (gallery's GalleryRun).
 */
import { Logger } from './logger';
import { TaskResultKind } from './outcome';
import { PipelineInfo } from './pipelineInfo';

export interface RunContextOptions {
  log: Logger;
  signal: AbortSignal;
  pipeline: PipelineInfo;
  /**
   * One line for a failed step: what was being done and what went wrong (azure/armErrors for Azure
   * calls).
   */
  describeError: (err: unknown, what: string) => string;
}

export class RunContext {
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly pipeline: PipelineInfo;
  /** Warnings given through `warn`: the run ends SucceededWithIssues when it has any. */
  readonly warnings: string[] = [];
  private readonly describeError: RunContextOptions['describeError'];

  constructor(o: RunContextOptions) {
    this.log = o.log;
    this.signal = o.signal;
    this.pipeline = o.pipeline;
    this.describeError = o.describeError;
  }

  /**
   * Runs one step; its failure becomes one line saying what was being done (cancellation passes
   * through untouched).
   */
  async step<T>(what: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (err) {
      if (this.signal.aborted) throw err;
      throw new Error(this.describeError(err, what));
    }
  }

  /**
   * A warning in the log that also marks the run SucceededWithIssues and is listed in the summary.
   */
  warn(message: string): void {
    this.log.warn(message);
    this.warnings.push(message);
  }

  /** The result of a run that did not fail. */
  result(): TaskResultKind {
    return this.warnings.length ? 'SucceededWithIssues' : 'Succeeded';
  }
}
