import * as assert from 'assert';
import * as fs from 'fs';
import { BlobClient, BlobServiceClient, BlockBlobClient } from '@azure/storage-blob';
import { packageFolder, userDelegationSas } from '../../../tasks/common/artifacts';
import type { RunningSim } from '../../sim';
import { blobService, simWithStorage, storageOptions, tempDir, writeTree } from './support';

describe('artifacts: user delegation SAS for one blob', function () {
  this.timeout(60000);
  let sim: RunningSim;
  let service: BlobServiceClient;
  let root: string;
  let blob: BlobClient;
  let zip: Buffer;

  before(async () => {
    sim = await simWithStorage();
    service = blobService(sim);
    root = tempDir();
    writeTree(root, { 'tool.ps1': 'Write-Host tool' });
    const container = service.getContainerClient('sas-artifacts');
    const result = await packageFolder(root, { container });
    blob = container.getBlobClient(result.blobName);
    await container.getBlockBlobClient('artifacts/neighbour.zip').upload('another build', 13);
    zip = await blob.downloadToBuffer();
  });
  after(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    await sim?.stop();
  });

  const status = (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (e: { statusCode?: number }) => e.statusCode,
    );

  it('reads that blob and nothing else, and cannot write', async () => {
    const url = await userDelegationSas(service, blob, new Date(Date.now() + 3600_000));
    const query = new URL(url).searchParams;
    assert.deepStrictEqual(
      [query.get('sp'), query.get('sr'), query.get('spr'), query.get('sv')],
      ['r', 'b', 'https', '2025-11-05'],
    );
    assert.ok(query.get('skoid'), 'signed with a user delegation key');

    const viaSas = new BlobClient(url, undefined, storageOptions(sim));
    assert.ok((await viaSas.downloadToBuffer()).equals(zip));

    const sasQuery = url.slice(url.indexOf('?') + 1);
    const neighbour = new BlobClient(
      `${blob.url.replace(/[^/]+$/, 'neighbour.zip')}?${sasQuery}`,
      undefined,
      storageOptions(sim),
    );
    assert.strictEqual(await status(neighbour.downloadToBuffer()), 403);
    const overwrite = new BlockBlobClient(url, undefined, storageOptions(sim));
    assert.strictEqual(await status(overwrite.upload('replaced', 8)), 403);
    assert.strictEqual(await status(overwrite.delete()), 403);
    assert.ok((await blob.downloadToBuffer()).equals(zip), 'blob unchanged');
  });

  it('is refused once expired', async () => {
    const url = await userDelegationSas(service, blob, new Date(Date.now() + 1500));
    const viaSas = new BlobClient(url, undefined, storageOptions(sim));
    assert.strictEqual(await status(viaSas.getProperties()), 200);
    await new Promise((r) => setTimeout(r, 2100));
    assert.strictEqual(await status(viaSas.downloadToBuffer()), 403);
  });

  it('refuses an expiry in the past or beyond the 7 days a delegation key lasts', async () => {
    const now = new Date();
    await assert.rejects(
      userDelegationSas(service, blob, new Date(now.getTime() - 1000), { now }),
      /must expire in the future/,
    );
    await assert.rejects(
      userDelegationSas(service, blob, new Date(now.getTime() + 8 * 86_400_000), { now }),
      /at most 7 days/,
    );
  });
});
