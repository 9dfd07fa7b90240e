// What BuildImage's build used of its artifacts folder: the File customiser's blob, read back from
// Azurite and checked against the template's sha256Checksum, its own size and the folder's files.
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import JSZip from 'jszip';
import type { RunningSim, StateDump } from '../../sim';
import { blobService } from '../../sim/domain/support';

export interface UsedBlob {
  sourceUri: string;
  sha256Checksum: string;
  bytes: number;
  sha256: string;
  /** md5 (hex) of each file in the archive. */
  files: Record<string, string>;
}

const md5 = (b: Buffer | Uint8Array) => createHash('md5').update(b).digest('hex');

/** The File customisers of the template the run created, as sent. */
function fileCustomisers(state: StateDump): { sourceUri: string; sha256Checksum: string }[] {
  const put = state.requests.find(
    (q) => q.method === 'PUT' && /\/imageTemplates\/[^/?]+\?/i.test(q.path) && q.status < 300,
  );
  const body = put?.body as { properties?: { customize?: Record<string, string>[] } } | undefined;
  return (body?.properties?.customize ?? [])
    .filter((c) => c.type === 'File' && /\.zip$/i.test(c.sourceUri))
    .map((c) => ({ sourceUri: c.sourceUri, sha256Checksum: c.sha256Checksum }));
}

/**
 * The archive blob the build's template names, read from Azurite once the build has been started
 * (the task deletes it when the build ends; a committed blob does not change, so this is what the
 * build downloads). Undefined when no build starts within `timeoutMs`.
 */
export async function usedArtifactBlob(
  sim: RunningSim,
  timeoutMs = 60_000,
): Promise<UsedBlob | undefined> {
  const started = Date.now();
  const runStarted = (state: StateDump) =>
    state.requests.some(
      (q) => q.method === 'POST' && /\/imageTemplates\/[^/]+\/run\?/i.test(q.path),
    );
  let state = sim.state();
  while (!runStarted(state)) {
    if (Date.now() - started > timeoutMs) return undefined;
    await new Promise((r) => setTimeout(r, 100));
    state = sim.state();
  }
  const [file] = fileCustomisers(state);
  assert.ok(file, 'the template has a File customiser for the archive');
  const account = state.resources.find(
    (x) => x.type === 'Microsoft.Storage/storageAccounts' && x.name.startsWith('gipart'),
  );
  assert.ok(account, "the task's artifacts account exists");
  const [, container, ...blob] = new URL(file.sourceUri).pathname.split('/').filter(Boolean);
  const client = (await blobService(sim, account.id))
    .getContainerClient(container)
    .getBlockBlobClient(blob.map(decodeURIComponent).join('/'));
  const props = await client.getProperties();
  const content = await client.downloadToBuffer();
  assert.strictEqual(content.length, props.contentLength, 'the blob reads back whole');
  const zip = await JSZip.loadAsync(content, { checkCRC32: true });
  const files: Record<string, string> = {};
  for (const [name, entry] of Object.entries(zip.files))
    if (!entry.dir) files[name] = md5(await entry.async('uint8array'));
  return {
    ...file,
    bytes: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    files,
  };
}

/** The blob is the whole archive of `folder`: checksum as the template says, every file intact. */
export function assertWholeArchive(used: UsedBlob, folder: string): void {
  assert.strictEqual(used.sha256, used.sha256Checksum, 'the blob is what the template names');
  const expected: Record<string, string> = {};
  for (const name of fs.readdirSync(folder))
    expected[name] = md5(fs.readFileSync(path.join(folder, name)));
  const got = Object.fromEntries(
    Object.entries(used.files).map(([name, sum]) => [path.posix.basename(name), sum]),
  );
  assert.deepStrictEqual(got, expected, 'every file of the folder, byte for byte');
}
