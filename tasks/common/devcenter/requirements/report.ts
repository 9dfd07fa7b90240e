/**
 * The requirement report: every image against every rule (pass / fail / warn, or not checked when
 * nothing tells), as a markdown table for the run's summary and as log lines `image: finding; why`
 * for each failing or warning rule.
 */
import { ImageFacts, Rule, RULES, RuleContext, RuleResult } from './rules';

export interface ImageRow {
  image: string;
  /** The version checked, when there is one. */
  version?: string;
  /** By rule id; undefined when nothing tells. */
  results: Record<string, RuleResult | undefined>;
  /** No rule fails. */
  qualifies: boolean;
}

export interface RequirementReport {
  rules: readonly Rule[];
  rows: ImageRow[];
}

export function checkImages(
  images: ImageFacts[],
  ctx: RuleContext,
  rules: readonly Rule[] = RULES,
): RequirementReport {
  const rows = images.map((image) => {
    const results: Record<string, RuleResult | undefined> = {};
    for (const rule of rules) results[rule.id] = rule.check(image, ctx);
    return {
      image: image.name,
      version: image.version?.name,
      results,
      qualifies: !Object.values(results).some((r) => r?.state === 'fail'),
    };
  });
  return { rules, rows };
}

/** The row's failing (or warning) rules, a line each: `legacy-gen1: Hyper-V generation V1; ...`. */
export function problemLines(row: ImageRow, state: 'fail' | 'warn'): string[] {
  return Object.values(row.results)
    .filter((r): r is RuleResult => r?.state === state)
    .map((r) => `${row.image}: ${r.finding}; ${r.why ?? ''}`);
}

const MARK: Record<string, string> = { pass: '✅ pass', fail: '❌ fail', warn: '⚠️ warn' };

/** Image x rule, markdown. */
export function reportTable(report: RequirementReport): string {
  const header = ['Image', 'Version', ...report.rules.map((r) => r.title)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of report.rows) {
    const cells = report.rules.map((rule) => {
      const r = row.results[rule.id];
      if (!r) return '–';
      return r.state === 'pass' ? MARK.pass : `${MARK[r.state]}: ${cell(r.finding)}`;
    });
    lines.push(`| ${[cell(row.image), row.version ?? '–', ...cells].join(' | ')} |`);
  }
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
