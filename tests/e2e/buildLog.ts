// What a BuildImage run printed of the Packer log, checked against what the simulated build wrote:
// into the staging account of a kept template, and into the simulator's journal (state().builds),
// which keeps every run's log after its template and staging group are gone.
import * as assert from 'assert';
import * as fs from 'fs';
import type { RunResult } from '../../scripts/runner/runner';
import type { BuildRecord, RunningSim } from '../sim';
import { blobService } from '../sim/domain/support';
import { registeredSecrets } from '../support/secretScan';
import { templates } from './buildImageFixtures';

const RUN_ID = /^\[[0-9a-f-]{36}\] /;

/** The runs of a template in the simulator's journal. */
export function runsOf(r: RunResult, templateName: string): BuildRecord[] {
  return r.state.builds.filter((b) =>
    b.templateId.toLowerCase().endsWith(`/imagetemplates/${templateName.toLowerCase()}`),
  );
}

/** The lines of the task's output that are lines of `written`, in the order printed. */
export function printedOf(r: RunResult, written: string[]): string[] {
  const known = new Set(written);
  return r.stdout
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => known.has(l));
}

/**
 * customization.log as the build wrote it into Image Builder's staging account (without the run
 * ids), for a kept template: the one named, else the only one.
 */
export async function stagingLog(
  sim: RunningSim,
  r: RunResult,
  templateName?: string,
): Promise<string[]> {
  const kept = templates(r.state).filter((t) => !templateName || t.name === templateName);
  assert.strictEqual(kept.length, 1, 'one template kept');
  const staging = String(kept[0].properties.exactStagingResourceGroup).toLowerCase();
  const account = r.state.resources.find(
    (x) =>
      x.type === 'Microsoft.Storage/storageAccounts' &&
      x.id.toLowerCase().startsWith(`${staging}/`),
  );
  assert.ok(account, 'the staging account');
  const blobs = (await blobService(sim, account.id)).getContainerClient('packerlogs');
  const names: string[] = [];
  for await (const b of blobs.listBlobsFlat())
    if (b.name.endsWith('/customization.log')) names.push(b.name);
  assert.strictEqual(names.length, 1, 'one customization.log');
  return (await blobs.getBlobClient(names[0]).downloadToBuffer())
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.replace(RUN_ID, ''));
}

/**
 * Every line the run wrote, printed exactly once and in order in the task's output (as the printer
 * shows them: without the run id). Returns what is wrong, empty when nothing is.
 */
export function printedOnce(r: RunResult, run: BuildRecord): string[] {
  const mask = masker(r);
  const written = run.log.map((l) => mask(l.replace(RUN_ID, '')));
  const printed = printedOf(r, written);
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
 * Text as the task prints or attaches it: each value it registered as secret (a SAS in a URL) as
 * `***`.
 */
export function masker(r: RunResult): (text: string) => string {
  const secrets = registeredSecrets(r.stdout).sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((out, value) => out.split(value).join('***'), text);
}

/**
 * Catches the files a run attaches (##vso[task.addattachment]) while they exist: the runner deletes
 * the agent's temp directory at the end.
 */
export function attachmentCatcher(): {
  onOutput: (chunk: string) => void;
  files: Map<string, string>;
} {
  const files = new Map<string, string>();
  let pending = '';
  return {
    files,
    onOutput: (chunk: string) => {
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
