/**
 * The build-artifacts folder (`packagePath`) on its way to the build VM: zipped into a
 * content-addressed private blob (artifacts/packageFolder.ts), then customisers that bring it onto
 * the VM and unpack it before the user's script (archiveSteps.ts). Which way it goes:
 *   - up to 20 MB, when Image Builder's identity can read it: AIB downloads it (a `File`
 *     customiser, checksum verified);
 *   - otherwise, when the build VM has identities (`buildVmIdentities`): a script on the VM gets a
 *     storage token for one of them from the VM's metadata endpoint (IMDS) and downloads the blob
 *     with it, sha256 checked. Nothing secret is in the template. Which identity: on the task's
 *     own account the first one listed, granted Storage Blob Data Reader on the container (as
 *     AIB's identity is); on a given account the first one listed that holds a role reading blobs
 *     there — none: refused before any write, with the command that grants the first one;
 *   - otherwise, above 20 MB (AIB's File customiser is not meant for large files): a script
 *     downloads it with a read-only user-delegation SAS for that one blob. The SAS is a secret: it
 *     is masked, kept out of the printed template and out of the template's name (so a rerun
 *     names the same template), and put in only when the template is sent;
 *   - otherwise (up to 20 MB, a given account AIB's identity can't read, no build VM identity):
 *     refused.
 */
import * as path from 'path';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { AzureContext } from '../../azure/clients';
import { getOrUndefined } from '../../azure/notFound';
import { parseResourceId } from '../../azure/resourceIds';
import {
  artifactBlobName,
  packageFolder,
  PackagedFolder,
  userDelegationSas,
} from '../../artifacts';
import { DigestSink } from '../../artifacts/archiveSink';
import { digestFolder } from '../../artifacts/contentHash';
import { scanFolder } from '../../artifacts/folderScan';
import { writeZip } from '../../artifacts/zipWriter';
import { InputError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { PlanItem } from '../../core/plan';
import { BuildClients } from '../clients';
import { ArtifactsParams, OsType } from '../inputs/params';
import { Customizer } from '../template/customizers';
import { ARTIFACTS_CONTAINER, blobService, findOrCreateAccount } from './artifactsAccount';
import {
  fileCustomizers,
  identityCustomizer,
  onVm,
  SAS_PLACEHOLDER,
  sasCustomizer,
} from './archiveSteps';
import { BLOB_READ, canRead, grantReader, readerCommand, readerItem } from './readerGrants';

/** Largest archive handed to AIB's File customiser; above it the VM downloads it itself. */
export const FILE_CUSTOMIZER_LIMIT = 20 * 1024 * 1024;

/**
 * The SAS outlives the build timeout by this much (queueing, provisioning before the timeout
 * starts).
 */
const SAS_MARGIN_MS = 60 * 60_000;

/** Tag on the template: the archive's URL (no SAS), so `wait` can delete it when the build ends. */
export const ARTIFACTS_TAG = 'gip.artifacts';

/**
 * What a zip adds per file at most, beyond its content (headers, central directory, data
 * descriptor, long names).
 */
const ZIP_OVERHEAD_PER_FILE = 1024;

export interface PreparedArtifacts {
  /** Customisers to put before the user's script (with the SAS placeholder, if any). */
  customizers: Customizer[];
  /** The archive's URL, without SAS. */
  url: string;
  /**
   * Replaces the SAS placeholder in a template body with a fresh SAS (masked). Identity when no SAS
   * is used.
   */
  withSecret<T>(doc: T): Promise<T>;
}

export interface PrepareArtifactsOptions {
  azure: AzureContext;
  clients: BuildClients;
  /** The packagePath input: the folder, and the account it goes to. */
  artifacts: ArtifactsParams;
  /** The template's resource group: the task's own account is there. */
  resourceGroup: string;
  /** Where the task's own account is made. */
  location: string;
  /** The source's OS: where on the VM the archive is unpacked, and by what. */
  osType: OsType;
  /** Image Builder's identity, which downloads an archive up to 20 MB itself. */
  principalId?: string;
  /** The build VM's identities, as the template has them: one may download the archive. */
  buildVmIdentities?: string[];
  /** The build timeout: a SAS outlives it. */
  buildTimeoutMinutes: number;
  /** Given for a dry run: what a build would do is added to it, and nothing is written. */
  plan?: PlanItem[];
  log: Logger;
  signal: AbortSignal;
}

/**
 * With `plan` (a dry run: action validate) nothing is created, granted or uploaded: what a build
 * would do is added to `plan`, and the archive is zipped into a hash only, so the customisers and
 * the template are exactly those a build would send.
 */
export async function prepareArtifacts(o: PrepareArtifactsOptions): Promise<PreparedArtifacts> {
  const { azure, artifacts: a, log, signal } = o;
  log.group(`Build artifacts: ${a.folder}`);
  const account = await findOrCreateAccount({ ...o, storageAccount: a.storageAccount });
  const containerScope = `${account.id}/blobServices/default/containers/${ARTIFACTS_CONTAINER}`;
  const auth = new AuthorizationManagementClient(
    azure.credential,
    azure.subscriptionId,
    azure.clientOptions,
  );
  let identityCanRead = false;
  if (o.principalId) {
    if (account.own) {
      if (o.plan)
        o.plan.push(
          await readerItem({ auth, scope: containerScope, principalId: o.principalId, signal }),
        );
      else
        await grantReader({ auth, scope: containerScope, principalId: o.principalId, log, signal });
      identityCanRead = true;
    } else {
      identityCanRead = await canRead(auth, containerScope, o.principalId, signal);
    }
  }

  const vmIdentities = o.buildVmIdentities ?? [];
  let vmReader: VmIdentity | undefined;
  const chooseVmReader = async () =>
    (vmReader ??= await vmIdentityThatReads({
      azure,
      auth,
      ids: vmIdentities,
      containerScope,
      own: account.own,
      plan: o.plan,
      log,
      signal,
    }));
  const scan = await scanFolder(a.folder, 'packagePath');
  // What would not go by File customiser is settled before anything is uploaded: the identity the
  // VM uses checked (or granted) ...
  const mayExceed = scan.bytes + scan.files * ZIP_OVERHEAD_PER_FILE > FILE_CUSTOMIZER_LIMIT;
  if (vmIdentities.length && (!identityCanRead || mayExceed)) await chooseVmReader();
  // ... and refused when the archive would go by File customiser and AIB can't read it.
  if (!identityCanRead && !vmIdentities.length && scan.bytes <= FILE_CUSTOMIZER_LIMIT) {
    throw new InputError(
      'storageAccountName',
      `Image Builder's identity (principal ${o.principalId ?? 'unknown'}) holds no role ` +
        `that reads blobs on ${containerScope} (it needs the data action ${BLOB_READ}, e.g. ` +
        `Storage Blob Data Reader) and downloads archives up to 20 MB itself`,
      readerCommand(o.principalId ?? '<principal>', containerScope),
    );
  }

  // Not made for validate: an account that does not exist yet has no endpoint.
  const service = () => blobService(azure, account.blobEndpoint);
  const packaged = o.plan
    ? await zipToHash(
        a.folder,
        `${account.blobEndpoint.replace(/\/?$/, '/')}${ARTIFACTS_CONTAINER}/`,
        signal,
      )
    : await packageFolder(a.folder, {
        container: service().getContainerClient(ARTIFACTS_CONTAINER),
        inputName: 'packagePath',
        signal,
      });
  if (o.plan) {
    o.plan.push({
      action: 'create',
      target: `build artifacts archive ${packaged.url}`,
      reason: `packagePath ${a.folder}; not uploaded again if it is there`,
      details: [
        `${packaged.files} files (${mb(packaged.contentBytes)}) zipped to ${mb(packaged.bytes)}`,
      ],
    });
  } else {
    log.info(
      packaged.uploaded
        ? `Uploaded ${packaged.files} files (${mb(packaged.contentBytes)}) as ` +
            `${mb(packaged.bytes)} to ${packaged.url}.`
        : `The archive of this content is already at ${packaged.url}: not uploaded again.`,
    );
  }

  const folderName = path.basename(packaged.blobName, '.zip').replace(/-[0-9a-f]+$/, '');
  const placement = onVm(o.osType, folderName);
  if (packaged.bytes <= FILE_CUSTOMIZER_LIMIT && identityCanRead) {
    log.info(
      `${mb(packaged.bytes)}: Image Builder downloads it with its identity (File ` +
        `customiser, sha256 checked) to ${placement.zip}.`,
    );
    log.endGroup();
    return {
      customizers: fileCustomizers(packaged, o.osType, placement),
      url: packaged.url,
      withSecret: (doc) => Promise.resolve(doc),
    };
  }
  if (vmIdentities.length) {
    const vm = await chooseVmReader();
    log.info(
      `${mb(packaged.bytes)}` +
        `${packaged.bytes > FILE_CUSTOMIZER_LIMIT ? ' is above 20 MB' : ''}: the build VM ` +
        `downloads it with its identity ${vm.name} (client id ${vm.clientId}, a storage ` +
        `token from the VM's metadata endpoint; no secret in the template), sha256 checked, ` +
        `to ${placement.zip}.`,
    );
    log.endGroup();
    return {
      customizers: [identityCustomizer(packaged, o.osType, placement, vm.clientId)],
      url: packaged.url,
      withSecret: (doc) => Promise.resolve(doc),
    };
  }
  log.info(
    `${mb(packaged.bytes)}` +
      `${packaged.bytes > FILE_CUSTOMIZER_LIMIT ? ' is above 20 MB' : ''}: the build VM ` +
      `downloads it with a read-only SAS for this one blob, valid for the build timeout plus ` +
      `an hour.`,
  );
  log.endGroup();
  return {
    customizers: [sasCustomizer(packaged, o.osType, placement)],
    url: packaged.url,
    async withSecret(doc) {
      const expires = new Date(Date.now() + o.buildTimeoutMinutes * 60_000 + SAS_MARGIN_MS);
      const url = await userDelegationSas(
        service(),
        { containerName: ARTIFACTS_CONTAINER, name: packaged.blobName, url: packaged.url },
        expires,
        { signal },
      );
      log.secret(url);
      log.secret(url.slice(url.indexOf('?') + 1));
      return JSON.parse(
        JSON.stringify(doc).split(JSON.stringify(SAS_PLACEHOLDER).slice(1, -1)).join(url),
      ) as typeof doc;
    },
  };
}

/** The archive a build would upload, zipped into a hash only. */
async function zipToHash(
  folder: string,
  containerUrl: string,
  signal: AbortSignal,
): Promise<PackagedFolder> {
  const scan = await scanFolder(folder, 'packagePath');
  const digest = await digestFolder(scan, { signal });
  const sink = new DigestSink();
  await writeZip(scan, digest, sink, { signal });
  const blobName = artifactBlobName(scan.name, digest.hash);
  return {
    blobName,
    url: `${containerUrl}${blobName}`,
    sha256: sink.sha256(),
    bytes: sink.bytes,
    files: scan.files,
    contentBytes: scan.bytes,
    contentHash: digest.hash,
    uploaded: false,
  };
}

interface VmIdentity {
  id: string;
  name: string;
  principalId: string;
  clientId: string;
}

interface VmReaderOptions {
  azure: AzureContext;
  auth: AuthorizationManagementClient;
  /** The build VM's identities, as the template has them. */
  ids: string[];
  /** The artifacts container. */
  containerScope: string;
  /** The account is the task's own: the first identity is granted read there. */
  own: boolean;
  /** Given for a dry run: the grant is added to it, not made. */
  plan?: PlanItem[];
  log: Logger;
  signal: AbortSignal;
}

/**
 * The build VM identity that downloads the archive: on the task's own account the first one listed,
 * granted Storage Blob Data Reader on the container; on a given account the first one listed that
 * may read blobs there (refused when none may).
 */
async function vmIdentityThatReads(o: VmReaderOptions): Promise<VmIdentity> {
  const { azure, auth, ids, containerScope, own, plan, log, signal } = o;
  const resolved: VmIdentity[] = [];
  for (const id of own ? ids.slice(0, 1) : ids) {
    const p = parseResourceId(id)!;
    const name = p.levels[0][1];
    const msi = new ManagedServiceIdentityClient(
      azure.credential,
      p.subscriptionId,
      azure.clientOptions,
    );
    const found = await getOrUndefined(() =>
      msi.userAssignedIdentities.get(p.resourceGroup, name, { abortSignal: signal }),
    );
    if (!found?.principalId || !found.clientId) {
      throw new InputError(
        'buildVmIdentities',
        `the user-assigned identity ${id} does not exist (or the service connection can't read it)`,
        `an existing identity: az identity create -g ${p.resourceGroup} -n ${name}`,
      );
    }
    const vm = { id, name, principalId: found.principalId, clientId: found.clientId };
    if (own) {
      const who = `the build VM's identity ${name}`;
      if (plan)
        plan.push(
          await readerItem({
            auth,
            scope: containerScope,
            principalId: vm.principalId,
            signal,
            who,
            reason: 'to download the build artifacts archive on the VM',
          }),
        );
      else
        await grantReader({
          auth,
          scope: containerScope,
          principalId: vm.principalId,
          who,
          log,
          signal,
        });
      return vm;
    }
    if (await canRead(auth, containerScope, vm.principalId, signal)) return vm;
    resolved.push(vm);
  }
  const first = resolved[0];
  throw new InputError(
    'buildVmIdentities',
    `no identity of the build VM ` +
      `(${resolved.map((v) => `${v.name}, principal ${v.principalId}`).join('; ')}) holds a ` +
      `role that reads blobs on ${containerScope} (it needs the data action ${BLOB_READ}, ` +
      `e.g. Storage Blob Data Reader), and the VM downloads the build artifacts archive with ` +
      `one of them`,
    readerCommand(first.principalId, containerScope),
  );
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
