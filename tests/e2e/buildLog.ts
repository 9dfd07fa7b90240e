// What a BuildImage run printed of the Packer log, checked against what the simulated build wrote:
// the simulator's journal (state().builds) keeps every run's log after its template and staging
// group are gone.
import * as fs from 'fs';
import type { RunResult } from '../../scripts/runner/runner';
import type { BuildRecord } from '../sim';

const RUN_ID = /^\[[0-9a-f-]{36}\] /;

/** The runs of a template in the simulator's journal. */
export function runsOf(r: RunResult, templateName: string): BuildRecord[] {
  return r.state.builds.filter((b) =>
    b.templateId.toLowerCase().endsWith(`/imagetemplates/${templateName.toLowerCase()}`),
  );
}

/**
 * Every line the run wrote, printed exactly once and in order in the task's output (as the printer
 * shows them: without the run id). Returns what is wrong, empty when nothing is.
 */
export function printedOnce(r: RunResult, run: BuildRecord): string[] {
  const written = run.log.map((l) => l.replace(RUN_ID, ''));
  const known = new Set(written);
  const printed = r.stdout
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => known.has(l));
  if (written.length === 0) return ['the build wrote no log'];
  if (printed.length === written.length && printed.every((l, i) => l === written[i])) return [];
  const count = (xs: string[]) =>
    xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const got = count(printed);
  const problems: string[] = [];
  for (const [text, n] of count(written)) {
    const m = got.get(text) ?? 0;
    if (m !== n) problems.push(`${m < n ? 'missing' : 'repeated'} (${m} of ${n}): ${text}`);
  }
  const at = printed.findIndex((l, i) => l !== written[i]);
  if (!problems.length)
    problems.push(
      `out of order from line ${at + 1}: printed '${printed[at]}', written '${written[at]}'`,
    );
  return problems.slice(0, 10);
}

/**
 * Catches the files a run attaches (##vso[task.addattachment]) while they exist: the runner deletes
 * the agent's temp directory at the end.
 */
export function attachmentCatcher(): { onOutput(chunk: string): void; files: Map<string, string> } {
  const files = new Map<string, string>();
  let pending = '';
  return {
    files,
    onOutput(chunk: string) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /##vso\[task\.addattachment [^\]]*name=([^;\]]+);[^\]]*\](.+)$/.exec(
          line.replace(/\r$/, ''),
        );
        if (m) files.set(m[1], fs.readFileSync(m[2], 'utf8'));
      }
    },
  };
}
