/**
 * Build artifacts, side by side in one run against the simulator's Azurite (HTTPS, bearer tokens):
 *   - zip + upload throughput of `packageFolder` vs a plain `uploadFile` of the very same archive
 * bytes
 *     (must be >= 0.8), median of several rounds;
 *   - peak memory (max RSS) of the process packaging a 1 GB folder (must be <= 300 MB).
 * A third row, the same archive file read into the packager's own upload blocks as stored files are
 * (with the archive's sha256 and CRC-32, without the content-hash pass or zipping),
 * separates the cost of zipping from Azurite's: below 256 MB `uploadFile` sends one Put Blob, which
 * Azurite handles faster than staged blocks.
 * Each measurement runs in a child process of its own against a simulator started for it, so
 * Azurite (which keeps every blob in memory, in this process) is not counted, every row meets the
 * same empty Azurite, and the child uses the SDK's default HTTP stack with the CA via
 * NODE_EXTRA_CA_CERTS, as a task would. One unmeasured packaging run comes first. The data (mostly
 * incompressible, some text) is generated in a temporary folder and removed. Not part of npm test:
 *   node out/scripts/bench/artifacts.js [sizeMB=1024] [rounds=3]
 */
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClientSecretCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import {
  DEFAULT_BLOCK_SIZE,
  DEFAULT_CONCURRENCY,
  packageFolder,
} from '../../tasks/common/artifacts';
import { BlockUpload } from '../../tasks/common/artifacts/blockUpload';
import { copyFile } from '../../tasks/common/artifacts/zipWriter';
import type { RunningSim, SimInfo } from '../../tests/sim';
import { ACCOUNT, blobService, simWithStorage } from '../../tests/unit/artifacts/support';

const MB = 1024 * 1024;

interface ChildEnv {
  tenantId: string;
  clientId: string;
  secret: string;
  authorityHost: string;
  blobEndpoint: string;
}

interface ChildResult {
  ms: number;
  /** packageFolder: time until the first byte was zipped (listing, hashing, HEAD). */
  hashMs?: number;
  /** Archive bytes sent. */
  bytes: number;
  contentBytes: number;
  maxRssMB: number;
  blobName: string;
  /**
   * CPU seconds of the measured child (user + system), and of the parent, Azurite, while it ran.
   */
  cpuS: number;
  parentCpuS?: number;
}

// ---- child side: one measured operation, result as JSON on stdout ----

/**
 * Peak resident memory of this process in MB. Linux's ru_maxrss is no use here: a child inherits
 * its parent's peak through fork and exec, and the parent holds every blob Azurite stores. VmHWM
 * belongs to this process's own address space.
 */
function peakRssMB(): number {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(
    fs.existsSync('/proc/self/status') ? fs.readFileSync('/proc/self/status', 'utf8') : '',
  );
  return (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024;
}

async function child(kind: string, source: string, containerName: string): Promise<void> {
  const env = JSON.parse(process.env.BENCH_ARTIFACTS!) as ChildEnv;
  const credential = new ClientSecretCredential(env.tenantId, env.clientId, env.secret, {
    authorityHost: env.authorityHost,
    disableInstanceDiscovery: true,
  });
  const container = new BlobServiceClient(env.blobEndpoint, credential).getContainerClient(
    containerName,
  );
  // Outside the timing: both sides start with the container there.
  await container.createIfNotExists();
  const started = performance.now();
  const cpu = process.cpuUsage();
  let result: Omit<ChildResult, 'ms' | 'maxRssMB' | 'cpuS'>;
  if (kind === 'package') {
    let hashMs: number | undefined;
    const r = await packageFolder(source, {
      container,
      onProgress: (p) => {
        if (p.phase === 'uploading') hashMs ??= performance.now() - started;
      },
    });
    if (!r.uploaded) throw new Error('expected an upload: use a fresh container');
    result = { bytes: r.bytes, contentBytes: r.contentBytes, blobName: r.blobName, hashMs };
  } else if (kind === 'blocks') {
    const blobName = 'plain/blocks.zip';
    const upload = new BlockUpload(container.getBlockBlobClient(blobName), {
      blockSize: DEFAULT_BLOCK_SIZE,
      concurrency: DEFAULT_CONCURRENCY,
      metadata: {},
      contentType: 'application/zip',
    });
    const file = await fs.promises.open(source, 'r');
    const size = (await file.stat()).size;
    const changed = new Error('the archive changed');
    await copyFile({ file, size, changed, signal: undefined, onBytes: () => undefined }, upload);
    await file.close();
    const r = await upload.finish();
    result = { bytes: r.bytes, contentBytes: r.bytes, blobName };
  } else {
    const blobName = 'plain/uploadFile.zip';
    await container.getBlockBlobClient(blobName).uploadFile(source);
    const bytes = fs.statSync(source).size;
    result = { bytes, contentBytes: bytes, blobName };
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6;
  process.stdout.write(`${JSON.stringify({ ...result, ms, maxRssMB: peakRssMB(), cpuS })}\n`);
}

// ---- parent side ----

function runChild(args: string[], env: ChildEnv, caCertPath: string): Promise<ChildResult> {
  const parentCpu = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [__filename, 'child', ...args], {
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: caCertPath,
        BENCH_ARTIFACTS: JSON.stringify(env),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('error', reject);
    proc.on('close', (code) =>
      code === 0
        ? resolve(
            withParentCpu(
              JSON.parse(out.trim().split('\n').pop()!) as ChildResult,
              process.cpuUsage(parentCpu),
            ),
          )
        : reject(new Error(`child ${args[0]} exited ${code}`)),
    );
  });
}

function withParentCpu(result: ChildResult, used: NodeJS.CpuUsage): ChildResult {
  return { ...result, parentCpuS: (used.user + used.system) / 1e6 };
}

/**
 * Pseudo-random, reproducible, incompressible bytes (AES-CTR keystream), written in 8 MB pieces.
 */
function writeRandom(file: string, size: number, seed: string): void {
  const cipher = crypto.createCipheriv(
    'aes-128-ctr',
    crypto.createHash('sha256').update(seed).digest().subarray(0, 16),
    Buffer.alloc(16),
  );
  const fd = fs.openSync(file, 'w');
  const zeros = Buffer.alloc(8 * MB);
  for (let left = size; left > 0; left -= zeros.length)
    fs.writeSync(fd, cipher.update(zeros.subarray(0, Math.min(left, zeros.length))));
  fs.closeSync(fd);
}

const WORDS = (
  'Install-Module Set-ItemProperty HKLM Software Contoso Enabled Value Path -Force ' +
  'Write-Host $env:TEMP msiexec /qn /norestart Start-Process -Wait -ArgumentList ' +
  'ConfigurationManager {"name": "version": "settings": true false null 1.0.3 ' +
  '2024-11-05T10:22:31Z INFO WARN ERROR download completed bytes'
).split(' ');

/** Text that deflates like scripts and logs do (~4:1), not like one repeated line. */
function writeText(file: string, size: number, seed: number): void {
  let state = (seed * 2654435761) >>> 0;
  const next = () => (state = (state * 1664525 + 1013904223) >>> 0);
  const parts: string[] = [];
  let length = 0;
  while (length < size) {
    const line =
      `${WORDS[next() % WORDS.length]} ${WORDS[next() % WORDS.length]} ` +
      `${WORDS[next() % WORDS.length]} ${next() % 100000} ${WORDS[next() % WORDS.length]}\n`;
    parts.push(line);
    length += line.length;
  }
  fs.writeFileSync(file, parts.join('').slice(0, size));
}

/**
 * ~90% incompressible (installers, packages, payloads, archives) and ~10% text, in files of many
 * sizes.
 */
function generateFolder(root: string, totalMB: number): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const add = (rel: string, size: number, write: (file: string, size: number) => void) => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    write(file, size);
    files++;
    bytes += size;
  };
  const big = Math.floor(totalMB * 0.2);
  add('installers/setup-contoso.msi', big * MB, (f, s) => writeRandom(f, s, 'msi'));
  add('payload/data.bin', big * MB, (f, s) => writeRandom(f, s, 'bin'));
  const tenMB = Math.floor((totalMB * 0.4) / 10);
  for (let i = 0; i < tenMB; i++)
    add(`payload/chunks/part-${i}.dat`, 10 * MB, (f, s) => writeRandom(f, s, `dat${i}`));
  const oneMB = Math.floor(totalMB * 0.1);
  for (let i = 0; i < oneMB; i++)
    add(`packages/pkg${i}/Contoso.Lib${i}.1.0.${i}.${i % 2 ? 'nupkg' : 'zip'}`, MB, (f, s) =>
      writeRandom(f, s, `pkg${i}`),
    );
  const texts = Math.floor((totalMB * 0.1 * MB) / (100 * 1024));
  for (let i = 0; i < texts; i++)
    add(`scripts/${i % 20}/step-${i}.${['ps1', 'json', 'log', 'sh'][i % 4]}`, 100 * 1024, (f, s) =>
      writeText(f, s, i + 1),
    );
  return { files, bytes };
}

/**
 * Writes dirty pages out before anything is timed: the kernel writing a fresh gigabyte back during
 * the first measurement slowed every row of the first round by a second or more.
 */
function flushToDisk(): void {
  spawnSync('sync');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (bytes: number, ms: number) => bytes / MB / (ms / 1000);

async function main(): Promise<void> {
  const sizeMB = Number(process.argv[2] ?? 1024);
  const rounds = Number(process.argv[3] ?? 3);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-artifacts-'));
  try {
    const folder = path.join(work, 'drop');
    const t = performance.now();
    const generated = generateFolder(folder, sizeMB);
    flushToDisk();
    console.log(
      `generated ${generated.files} files, ${(generated.bytes / MB).toFixed(0)} MB in ` +
        `${((performance.now() - t) / 1000).toFixed(1)} s (~90% incompressible, ~10% text)`,
    );

    const zipFile = path.join(work, 'archive.zip');
    const pack: ChildResult[] = [];
    const plain: ChildResult[] = [];
    const blocks: ChildResult[] = [];
    // Each measurement gets a fresh simulator (so an empty in-memory Azurite): Azurite does not
    // give back the memory of deleted blobs, and one holding gigabytes slowed whatever ran after it
    // (by up to 2x).
    const measure = async (
      args: string[],
      afterwards?: (sim: RunningSim, result: ChildResult) => Promise<void>,
    ) => {
      const sim = await simWithStorage();
      try {
        const result = await runChild([...args, 'bench'], childEnv(sim.info), sim.info.caCertPath);
        await afterwards?.(sim, result);
        return result;
      } finally {
        await sim.stop();
      }
    };
    // Unmeasured first run: it warms up Azurite's code in this process (cold, it slowed every row
    // of the first round by 30-50%) and gives the archive the other rows upload.
    await measure(['package', folder], async (sim, result) => {
      await blobService(sim)
        .getContainerClient('bench')
        .getBlobClient(result.blobName)
        .downloadToFile(zipFile);
      flushToDisk();
    });
    const rows = [
      { results: pack, args: ['package', folder] },
      { results: plain, args: ['uploadFile', zipFile] },
      { results: blocks, args: ['blocks', zipFile] },
    ];
    for (let round = 0; round < rounds; round++) {
      // Who goes first changes each round, in case the machine warms up or cools down.
      for (let k = 0; k < rows.length; k++) {
        const row = rows[(round + k) % rows.length];
        row.results.push(await measure(row.args));
      }
    }
    const seconds = (rs: ChildResult[]) =>
      rs
        .map(
          (r) =>
            `${(r.ms / 1000).toFixed(2)} [cpu ` +
            `${r.cpuS.toFixed(1)}+${(r.parentCpuS ?? 0).toFixed(1)}]`,
        )
        .join(' ');
    console.log('rounds (s) [CPU s of the task + of Azurite]:');
    console.log(
      `  packageFolder ${seconds(pack)} (listing+hashing ` +
        `${pack.map((r) => ((r.hashMs ?? 0) / 1000).toFixed(2)).join(' ')})\n  uploadFile ` +
        `${seconds(plain)}\n  staged blocks ${seconds(blocks)}`,
    );
    const zipBytes = pack[0].bytes;
    const packMs = median(pack.map((r) => r.ms));
    const plainMs = median(plain.map((r) => r.ms));
    const row = (label: string, rs: ChildResult[], contentBytes?: number) => {
      const ms = median(rs.map((r) => r.ms));
      const content = contentBytes === undefined ? '' : rate(contentBytes, ms).toFixed(0);
      const time = (ms / 1000).toFixed(2);
      const zipRate = rate(zipBytes, ms).toFixed(0);
      const rss = median(rs.map((r) => r.maxRssMB)).toFixed(0);
      console.log(
        `${label.padEnd(28)}${time.padStart(8)}  ${zipRate.padStart(12)}  ` +
          `${content.padStart(12)}  ${rss.padStart(12)}`,
      );
    };
    console.log('');
    console.log(
      `${`median of ${rounds} rounds`.padEnd(28)}time (s)  archive MB/s  content MB/s  max ` +
        `RSS (MB)`,
    );
    row('packageFolder (zip+upload)', pack, pack[0].contentBytes);
    row('uploadFile of the same zip', plain);
    row('same zip, staged blocks', blocks);
    console.log('');
    const ratio = plainMs / packMs;
    const rss = Math.max(...pack.map((r) => r.maxRssMB));
    console.log(
      `archive: ${(zipBytes / MB).toFixed(0)} MB from ` +
        `${(pack[0].contentBytes / MB).toFixed(0)} MB of content`,
    );
    console.log(
      `throughput ratio packageFolder / uploadFile (same archive bytes): ` +
        `${ratio.toFixed(2)} (must be >= 0.80) ${ratio >= 0.8 ? 'OK' : 'FAIL'}`,
    );
    console.log(
      `peak RSS packaging ${(generated.bytes / MB).toFixed(0)} MB: ${rss.toFixed(0)} MB ` +
        `(must be <= 300) ${rss <= 300 ? 'OK' : 'FAIL'}`,
    );
    if (ratio < 0.8 || rss > 300) process.exitCode = 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function childEnv(info: SimInfo): ChildEnv {
  return {
    tenantId: info.tenantId,
    clientId: info.principals.sp.clientId,
    secret: info.principals.sp.secret,
    authorityHost: info.authorityHost,
    blobEndpoint: info.blobEndpointTemplate.replace('{account}', ACCOUNT),
  };
}

if (process.argv[2] === 'child') {
  child(process.argv[3], process.argv[4], process.argv[5]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
