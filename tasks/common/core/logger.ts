/**
 * What the core may say to the pipeline. The pipeline layer implements it with logging commands;
 * tests implement it with an array. The core never imports azure-pipelines-task-lib.
 */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Starts a collapsible section; the next `endGroup` (or `group`) closes it. */
  group(title: string): void;
  endGroup(): void;
  /** Percent 0..100 with a short description of the current step. */
  progress(percent: number, description: string): void;
  /**
   * Masks a value everywhere it would be printed afterwards (tokens, SAS URLs, registration
   * tokens).
   */
  secret(value: string): void;
}

/** A Logger that records everything, for tests and for code that wants to replay lines later. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  readonly secrets: string[] = [];
  info(m: string): void {
    this.lines.push(m);
  }
  debug(m: string): void {
    this.lines.push(`debug: ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warning: ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error: ${m}`);
  }
  group(t: string): void {
    this.lines.push(`group: ${t}`);
  }
  endGroup(): void {
    this.lines.push('endgroup');
  }
  progress(p: number, d: string): void {
    this.lines.push(`progress: ${p}% ${d}`);
  }
  secret(v: string): void {
    this.secrets.push(v);
  }
}
