import * as assert from 'assert';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { randomBytes } from 'crypto';
import type { RunOptions, RunResult } from '../../scripts/runner/runner';
import { runTask } from '../../scripts/runner/runner';
import { RunningSim, SIM_IDS, startSimulator } from '../sim';
import { assertNoSecretLeaks, KnownSecret, ScanOptions, ScanReport } from '../support/secretScan';
import { devBoxScenario, GALLERY as DEVBOX_GALLERY, runAttach } from './attachGalleryFixtures';
import { inline, runBuildImage, scenario, WINDOWS } from './buildImageFixtures';
import {
  DOMAIN,
  hostPoolScenario,
  JOIN_USER,
  logTail,
  OU_PATH,
  PoolWorld,
  runUpdateHostPool,
} from './hostPoolFixtures';

/**
 * One representative run of each task (and UpdateHostPool's AD DS join), scanned for every secret
 * the test knows (tests/support/secretScan.ts): the log as the agent masks it, resources outside
 * protectedSettings, tags, output and job variables, files left in the agent's temp folder.
 * Nothing may leak, and no registered secret may be printed on purpose (outside debug lines). The
 * counts of what was scanned are printed for the hardening report. BuildImage's SAS is read back.
 */
const SUB = `/subscriptions/${SIM_IDS.subscriptionId}`;
const RG_GALLERY = `${SUB}/resourceGroups/rg-secrets`;
const IMAGE = `${RG_GALLERY}/providers/Microsoft.Compute/images/img-1`;

const BUILD_TIMEOUT_MINUTES = 90;

const totals: Record<string, number> = {};
function scanned(name: string, run: RunResult, options: ScanOptions) {
  let report: ScanReport;
  try {
    report = assertNoSecretLeaks(run, options);
  } finally {
    fs.rmSync(run.tempDirectory, { recursive: true, force: true });
  }
  for (const [kind, n] of Object.entries(report.counts)) totals[kind] = (totals[kind] ?? 0) + n;
  console.log(
    `      ${name}: ${JSON.stringify(report.counts)} over ${JSON.stringify(report.scanned)}`,
  );
  return report;
}

/**
 * The runs as a mocha suite: with System.Debug (tests/e2e/secrets.test.ts: debug lines are in the
 * raw output either way, the scan reads them as shown) and without (tests/hardening).
 */
export function secretScanSuite(debug: boolean): void {
  after(() => {
    if (Object.keys(totals).length)
      console.log(`      secrets scanned, by kind: ${JSON.stringify(totals)}`);
  });
  {
    const vars: Record<string, string> = debug ? { 'System.Debug': 'true' } : {};
    const keep: Partial<RunOptions> = { vars, keepTempDirectory: true };
    const suffix = debug ? ' (System.Debug true)' : '';

    describe(`e2e: no secret leaks from a run of each task${suffix}`, function () {
      this.timeout(180_000);

      it(`BuildImage with a >20 MB artifacts folder (a SAS for the VM)${suffix}`, async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-secrets-'));
        fs.writeFileSync(path.join(dir, 'payload.bin'), randomBytes(21 * 1024 * 1024));
        const sim = await startSimulator({ scenario: scenario() });
        try {
          const r = await runBuildImage(
            sim,
            {
              ...WINDOWS,
              ...inline('Write-Host "secrets"'),
              packagePath: dir,
              buildTimeout: `${BUILD_TIMEOUT_MINUTES}m`,
              keepArtifacts: 'true',
            },
            keep,
          );
          assert.strictEqual(r.result, 'Succeeded', logTail(r));
          const report = scanned('BuildImage', r, { info: sim.info });
          assert.ok(report.counts.sas, 'the SAS the task made is among the secrets scanned');
          await checkArtifactsSas(sim, r);
        } finally {
          await sim.stop();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });

      it(`DistributeToGallery publishing a managed image${suffix}`, async () => {
        const sim = await startSimulator({
          scenario: {
            timeScale: 0.002,
            resources: [
              {
                id: RG_GALLERY,
                type: 'Microsoft.Resources/resourceGroups',
                location: 'westeurope',
              },
              {
                id: IMAGE,
                type: 'Microsoft.Compute/images',
                location: 'westeurope',
                properties: {
                  hyperVGeneration: 'V2',
                  storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
                },
              },
            ],
          },
        });
        try {
          const r = await runTask({
            task: 'DistributeToGallery',
            sim,
            inputs: {
              source: IMAGE,
              galleryResourceGroup: 'rg-secrets',
              galleryName: 'golden',
              imageDefinition: 'win11',
              osType: 'Windows',
              hyperVGeneration: 'V2',
              osState: 'Generalized',
              targetRegions: 'westeurope, northeurope',
              pollInterval: '500ms',
            },
            ...keep,
          });
          assert.strictEqual(r.result, 'Succeeded', logTail(r));
          scanned('DistributeToGallery', r, { info: sim.info });
        } finally {
          await sim.stop();
        }
      });

      it(`UpdateHostPool rolling an Entra-joined pool (admin password made)${suffix}`, async () => {
        const world = new PoolWorld({ key: 'sec', hosts: 1, tokenHours: 0.5 });
        const sim = await startSimulator({ scenario: hostPoolScenario([world]) });
        try {
          const r = await runUpdateHostPool(sim, world.inputs(), keep);
          assert.strictEqual(r.result, 'Succeeded', logTail(r));
          const report = scanned('UpdateHostPool', r, { info: sim.info, extra: poolToken(world) });
          assert.ok(report.counts.password, 'the admin password sent is among the secrets');
          assert.ok(report.counts.registrationToken, 'the registration tokens are');
        } finally {
          await sim.stop();
        }
      });

      it(`UpdateHostPool joining AD DS, the password a secret variable${suffix}`, async () => {
        const world = new PoolWorld({
          key: 'secad',
          hosts: 1,
          join: 'activeDirectory',
          tokenHours: 0.5,
        });
        const secretVariables = { joinPassword: `J0in!${randomBytes(9).toString('base64url')}` };
        const sim = await startSimulator({ scenario: hostPoolScenario([world]) });
        try {
          const r = await runUpdateHostPool(
            sim,
            world.inputs({
              joinType: 'activeDirectory',
              domain: DOMAIN,
              ouPath: OU_PATH,
              domainJoinUser: JOIN_USER,
              domainJoinPassword: '$(joinPassword)',
            }),
            { ...keep, secretVariables },
          );
          assert.strictEqual(r.result, 'Succeeded', logTail(r));
          scanned('UpdateHostPool AD DS', r, {
            info: sim.info,
            secretVariables,
            extra: poolToken(world),
          });
        } finally {
          await sim.stop();
        }
      });

      it(`AttachGalleryToDevCenter attaching a gallery${suffix}`, async () => {
        const sim: RunningSim = await startSimulator({ scenario: devBoxScenario() });
        try {
          const r = await runAttach(
            sim,
            { devCenter: 'dc-main', resourceGroup: 'rg-devbox', gallery: DEVBOX_GALLERY },
            keep,
          );
          // SucceededWithIssues: two of the gallery's images break Dev Box's rules (warned).
          assert.match(r.result ?? '', /^Succeeded/, logTail(r));
          scanned('AttachGalleryToDevCenter', r, { info: sim.info });
        } finally {
          await sim.stop();
        }
      });
    });
  }
}

/** The token the scenario's pool starts with: a secret only the test knows. */
const poolToken = (world: PoolWorld): KnownSecret[] =>
  world.token
    ? [{ kind: 'registrationToken', value: world.token, source: 'the scenario token' }]
    : [];

/**
 * The SAS BuildImage handed the build VM (registered with setsecret): read-only, HTTPS only, for
 * exactly the archive's blob, expiring the build timeout plus an hour after the run (overview.md);
 * Azurite serves the blob with it and refuses a write with it and a read of another blob.
 */
async function checkArtifactsSas(sim: RunningSim, r: RunResult): Promise<void> {
  const urls = [...r.stdout.matchAll(/##vso\[task\.setsecret\](https:[^\s]+)/g)].map((m) =>
    m[1].replace(/%AZP25/g, '%'),
  );
  assert.strictEqual(urls.length, 1, 'one SAS URL made');
  const url = new URL(urls[0]);
  const q = url.searchParams;
  assert.strictEqual(q.get('sp'), 'r', 'read only');
  assert.strictEqual(q.get('sr'), 'b', 'scoped to one blob');
  assert.strictEqual(q.get('spr'), 'https');
  assert.ok(q.get('skoid'), 'signed with a user delegation key, not an account key');
  assert.match(url.pathname, /^\/[a-z0-9]+\/buildimage-artifacts\/artifacts\/[^/]+\.zip$/);
  const expires = Date.parse(q.get('se') ?? '');
  const expected = Date.now() - r.durationMs + (BUILD_TIMEOUT_MINUTES + 60) * 60_000;
  assert.ok(
    Math.abs(expires - expected) < r.durationMs + 120_000,
    `expires ${q.get('se')}, expected about ${new Date(expected).toISOString()}`,
  );

  const ca = fs.readFileSync(sim.info.caCertPath);
  const read = await blobRequest(ca, 'GET', url);
  assert.strictEqual(read.status, 200, `the build VM can read the archive: ${read.body}`);
  const write = await blobRequest(ca, 'PUT', url, 'overwritten');
  assert.strictEqual(write.status, 403, `a write with the SAS is refused: ${write.body}`);
  const other = new URL(url);
  other.pathname = url.pathname.replace(/[^/]+\.zip$/, 'other.zip');
  const elsewhere = await blobRequest(ca, 'GET', other);
  assert.strictEqual(elsewhere.status, 403, `another blob is not readable: ${elsewhere.body}`);
}

function blobRequest(
  ca: Buffer,
  method: string,
  url: URL,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca,
        headers: {
          'x-ms-version': '2025-11-05',
          ...(body !== undefined
            ? { 'x-ms-blob-type': 'BlockBlob', 'content-length': Buffer.byteLength(body) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 300),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
