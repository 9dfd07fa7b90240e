/**
 * Local files named by a customisers file or a template file: a `scriptUri` (Shell, PowerShell) or
 * `sourceUri` (File) that is not an http(s) URL is a path relative to that file's folder. Each is
 * checked before anything is done in Azure (it exists, is a file, stays inside the repository with
 * symlinks followed — a pull request must not bring agent files into an image — and is no bigger
 * than a File customiser is meant for), uploaded content-addressed into the private artifacts
 * container the build-artifacts folder uses (so a rerun uploads nothing and names the same
 * template), and replaced by its blob URL with `sha256Checksum`. Image Builder downloads them with
 * its identity. The template's FILES_TAG names the container folder, so `wait`, `cancel` and
 * `cleanup` find the blobs to delete among the URLs the template holds.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { AzureContext } from '../../azure/clients';
import { ensurePrivateContainer } from '../../artifacts';
import { InputError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { PlanItem } from '../../core/plan';
import {
  ARTIFACTS_CONTAINER,
  blobService,
  deleteArtifacts,
  findOrCreateAccount,
} from './artifactsAccount';
import { FILE_CUSTOMIZER_LIMIT } from './buildArtifacts';
import { BLOB_READ, canRead, grantReader, readerCommand, readerItem } from './readerGrants';
import { BuildClients } from '../clients';
import { textOf } from '../template/valueText';

/** Tag on the template: the URL of the container folder its uploaded files are in. */
export const FILES_TAG = 'gip.files';
const FOLDER = 'files/';
const URL_KEYS = ['scriptUri', 'sourceUri'] as const;

type Step = Record<string, unknown>;

/**
 * The steps of a file where local paths may stand: its customisers and (a template's) in-VM
 * validators.
 */
export interface FileSteps {
  customize: Step[];
  inVMValidations: Step[];
}

export interface LocalFile {
  list: keyof FileSteps;
  index: number;
  key: (typeof URL_KEYS)[number];
  /** The path as the file gives it. */
  given: string;
  /** Resolved, symlinks followed. */
  path: string;
  bytes: number;
  sha256: string;
  /** `files/<sha256>/<name>`: the same content always lands on the same blob. */
  blobName: string;
}

export interface PlacedFiles {
  /** The steps with the local paths replaced by blob URLs and their checksums. */
  steps: FileSteps;
  /** FILES_TAG's value. */
  tag: string;
  /** The blobs' URLs, once each. */
  urls: string[];
}

/**
 * Every local path in the steps, checked and hashed; no request is made. `input` names the file's
 * input (templateFile or customizersFile) in refusals, `fileDir` is that file's folder, `repoRoot`
 * System.DefaultWorkingDirectory.
 */
export function findLocalFiles(
  steps: FileSteps,
  input: string,
  fileDir: string,
  repoRoot: string,
): LocalFile[] {
  const root = path.resolve(repoRoot);
  let realRoot: string | undefined;
  const found: LocalFile[] = [];
  for (const list of ['customize', 'inVMValidations'] as const) {
    steps[list].forEach((step, index) => {
      for (const key of URL_KEYS) {
        const given = step[key];
        if (typeof given !== 'string' || /^https?:\/\//i.test(given)) continue;
        const at =
          `${list === 'customize' ? 'customize' : 'validate.inVMValidations'}[${index}]` +
          `${typeof step.name === 'string' && step.name ? ` ('${step.name}')` : ''} ${key} ` +
          `'${given}'`;
        const refuse = (problem: string, expected: string): never => {
          throw new InputError(input, `${at}: ${problem}`, expected);
        };
        realRoot ??= fs.realpathSync(root);
        const file = checkPath(given, fileDir, root, realRoot, refuse);
        const content = fs.readFileSync(file.path);
        const sha256 = createHash('sha256').update(content).digest('hex');
        const claimed = step.sha256Checksum;
        if (
          claimed !== undefined &&
          (typeof claimed !== 'string' || claimed.trim().toLowerCase() !== sha256)
        ) {
          refuse(
            `its sha256Checksum '${textOf(claimed)}' does not match the file (sha256 ${sha256})`,
            "the file's sha256, or no sha256Checksum (the task fills it in)",
          );
        }
        found.push({
          list,
          index,
          key,
          given,
          path: file.path,
          bytes: content.length,
          sha256,
          blobName: `${FOLDER}${sha256}/${safeName(file.path)}`,
        });
      }
    });
  }
  return found;
}

function checkPath(
  given: string,
  fileDir: string,
  root: string,
  realRoot: string,
  refuse: (problem: string, expected: string) => never,
): { path: string } {
  const relative = "a path relative to the file's folder, or an http(s) URL";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given))
    refuse(
      'is a URL Image Builder does not download (only http and https)',
      `an https URL, or ${relative}`,
    );
  const lexical = path.resolve(fileDir, given);
  const outside = (p: string, r: string) => {
    const rel = path.relative(r, p);
    return rel.startsWith('..') || path.isAbsolute(rel);
  };
  const inRepo =
    `a file inside the repository (${root}): a pull request must not bring agent files into ` +
    `an image`;
  // Refused before touching the file system there, so a refusal says nothing about what exists
  // outside.
  if (outside(lexical, root)) refuse(`is ${lexical}, outside the repository`, inRepo);
  let real: string;
  try {
    real = fs.realpathSync(lexical);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return refuse(
      `there is no such file (${lexical}${code === 'ENOENT' ? '' : `: ${code}`})`,
      relative,
    );
  }
  if (outside(real, realRoot))
    refuse(`leads by a symbolic link to ${real}, outside the repository`, inRepo);
  const stat = fs.statSync(real);
  if (stat.isDirectory())
    refuse(
      'is a folder; a File customiser copies one file',
      'a file; for a folder use packagePath (the build-artifacts folder, zipped and ' +
        'unpacked on the VM)',
    );
  if (!stat.isFile()) refuse('is not a regular file', 'a file');
  if (stat.size > FILE_CUSTOMIZER_LIMIT) {
    refuse(
      `is ${(stat.size / 1024 / 1024).toFixed(1)} MB, more than the 20 MB Image Builder's ` +
        `File customiser is meant for`,
      'packagePath for large files (zipped, and downloaded on the VM)',
    );
  }
  return { path: real };
}

/** The file's name as a URL-safe blob name part. */
function safeName(file: string): string {
  return (
    path
      .basename(file)
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+/, '') || 'file'
  );
}

/** The steps with each local path replaced by its blob URL and sha256Checksum. */
export function withBlobUrls(
  steps: FileSteps,
  files: LocalFile[],
  containerUrl: string,
): FileSteps {
  const out: FileSteps = {
    customize: steps.customize.map((s) => ({ ...s })),
    inVMValidations: steps.inVMValidations.map((s) => ({ ...s })),
  };
  for (const f of files) {
    const step = out[f.list][f.index];
    step[f.key] = `${containerUrl}${f.blobName}`;
    step.sha256Checksum = f.sha256;
  }
  return out;
}

export interface UploadOptions {
  azure: AzureContext;
  clients: BuildClients;
  /** The steps of the file, as it gives them. */
  steps: FileSteps;
  /** Its local files, checked and hashed (findLocalFiles). */
  files: LocalFile[];
  /** The file's input, templateFile or customizersFile: named in refusals. */
  input: string;
  /** The template's resource group: the task's own account is there. */
  resourceGroup: string;
  /** Where the task's own account is made. */
  location: string;
  /** Image Builder's identity, which downloads the files. */
  principalId?: string;
  /** storageAccountName; undefined: the task's own account. */
  storageAccount?: string;
  /**
   * Given for a dry run (validate, and naming a template for wait/cancel): nothing is created,
   * granted or uploaded; what a build would do is added to it, and the URLs are computed.
   */
  plan?: PlanItem[];
  log: Logger;
  signal: AbortSignal;
}

/**
 * Puts the files into the artifacts container (each once; a blob already there is not uploaded
 * again) and returns the steps that name them. On a given account Image Builder's identity must
 * already read blobs there (refused before any write, with the command that grants it); on the
 * task's own it is granted.
 */
export async function uploadLocalFiles(o: UploadOptions): Promise<PlacedFiles> {
  const { azure, input, log, signal } = o;
  log.group(`Local files of ${input}`);
  const account = await findOrCreateAccount(o);
  const scope = `${account.id}/blobServices/default/containers/${ARTIFACTS_CONTAINER}`;
  const auth = new AuthorizationManagementClient(
    azure.credential,
    azure.subscriptionId,
    azure.clientOptions,
  );
  if (!account.own) {
    if (!o.principalId || !(await canRead(auth, scope, o.principalId, signal))) {
      throw new InputError(
        'storageAccountName',
        `Image Builder's identity (principal ${o.principalId ?? 'unknown'}) holds no ` +
          `role that reads blobs on ${scope} (it needs the data action ${BLOB_READ}, e.g. ` +
          `Storage Blob Data Reader) and downloads the local files of ${input} from there`,
        readerCommand(o.principalId ?? '<principal>', scope),
      );
    }
  } else if (o.plan) {
    o.plan.push(await readerItem({ auth, scope, principalId: o.principalId, signal }));
  } else if (o.principalId) {
    await grantReader({ auth, scope, principalId: o.principalId, log, signal });
  } else {
    throw new Error(
      `Image Builder's identity has no principal id: it can't be granted Storage Blob Data ` +
        `Reader on ${scope} to download the local files of ${input}.`,
    );
  }

  const containerUrl = `${account.blobEndpoint.replace(/\/?$/, '/')}${ARTIFACTS_CONTAINER}/`;
  const container = o.plan
    ? undefined
    : blobService(azure, account.blobEndpoint).getContainerClient(ARTIFACTS_CONTAINER);
  if (container) await ensurePrivateContainer(container, signal);
  const done = new Set<string>();
  for (const f of o.files) {
    if (done.has(f.blobName)) continue;
    done.add(f.blobName);
    const url = `${containerUrl}${f.blobName}`;
    const what = `${f.given} (${size(f.bytes)}, sha256 ${f.sha256.slice(0, 12)}…)`;
    if (!container) {
      o.plan?.push({
        action: 'create',
        target: `local file ${url}`,
        reason: `named by the ${input}; not uploaded again if it is there`,
        details: [what],
      });
      continue;
    }
    const blob = container.getBlockBlobClient(f.blobName);
    const there = await blob.getProperties({ abortSignal: signal }).catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    });
    if (there && there.contentLength === f.bytes) {
      log.info(`${what} is already at ${url}: not uploaded again.`);
      continue;
    }
    const content = await fs.promises.readFile(f.path);
    if (createHash('sha256').update(content).digest('hex') !== f.sha256) {
      throw new Error(
        `${input}: ${f.given} changed while the task ran (its sha256 is no longer ` +
          `${f.sha256}); run again.`,
      );
    }
    await blob.uploadData(content, {
      abortSignal: signal,
      blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
    });
    log.info(`Uploaded ${what} to ${url}.`);
  }
  log.info(
    `Image Builder downloads ${done.size === 1 ? 'it' : 'them'} with its identity and ` +
      `checks the sha256.`,
  );
  log.endGroup();
  return {
    steps: withBlobUrls(o.steps, o.files, containerUrl),
    tag: `${containerUrl}${FOLDER}`,
    urls: [...done].map((n) => `${containerUrl}${n}`),
  };
}

interface TemplateLike {
  tags?: Record<string, string>;
  customize?: unknown;
  validate?: unknown;
}

/**
 * The uploaded files a template (as the SDK reads it) names: its URLs under the folder its
 * FILES_TAG gives.
 */
export function uploadedFilesOf(t: TemplateLike): string[] {
  const folder = t.tags?.[FILES_TAG];
  if (!folder) return [];
  const validators =
    t.validate && typeof t.validate === 'object'
      ? (t.validate as { inVMValidations?: unknown }).inVMValidations
      : undefined;
  const urls = new Set<string>();
  for (const list of [t.customize, validators]) {
    if (!Array.isArray(list)) continue;
    for (const step of list as Step[]) {
      for (const key of URL_KEYS) {
        const v = step?.[key];
        if (typeof v === 'string' && v.startsWith(folder)) urls.add(v);
      }
    }
  }
  return [...urls];
}

/** Deletes uploaded files once the build has ended; a failure only warns. */
export async function deleteUploadedFiles(
  azure: AzureContext,
  urls: string[],
  log: Logger,
): Promise<void> {
  for (const url of urls) await deleteArtifacts(azure, url, log, 'uploaded file');
}

function size(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} kB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The steps of a customisers file (`customize`) or of a template file (its customize and
 * `properties.validate.inVMValidations`).
 */
export function fileStepsOf(customize: Step[], properties?: Record<string, unknown>): FileSteps {
  const validate = properties?.validate;
  const validators =
    validate && typeof validate === 'object'
      ? (validate as { inVMValidations?: unknown }).inVMValidations
      : undefined;
  return { customize, inVMValidations: Array.isArray(validators) ? (validators as Step[]) : [] };
}
