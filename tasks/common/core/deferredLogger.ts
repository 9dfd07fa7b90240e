/**
 * A Logger whose lines wait: kept until `replay` prints them to another Logger, or dropped. For a
 * step done twice (a dry pass, then the real one) whose first pass is printed only if it is the one
 * kept. Secrets are masked on the target at once, so nothing printed later shows them.
 */
import { Logger } from './logger';

export class DeferredLogger implements Logger {
  private readonly lines: ((target: Logger) => void)[] = [];
  constructor(private readonly target: Logger) {}
  info(m: string): void {
    this.lines.push((t) => t.info(m));
  }
  debug(m: string): void {
    this.lines.push((t) => t.debug(m));
  }
  warn(m: string): void {
    this.lines.push((t) => t.warn(m));
  }
  error(m: string): void {
    this.lines.push((t) => t.error(m));
  }
  group(title: string): void {
    this.lines.push((t) => t.group(title));
  }
  endGroup(): void {
    this.lines.push((t) => t.endGroup());
  }
  progress(p: number, d: string): void {
    this.lines.push((t) => t.progress(p, d));
  }
  secret(v: string): void {
    this.target.secret(v);
  }
  /** Prints what was kept to the target, in order, once. */
  replay(): void {
    for (const line of this.lines.splice(0)) line(this.target);
  }
}
