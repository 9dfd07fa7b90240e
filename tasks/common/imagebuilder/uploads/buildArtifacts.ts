/**
 * The build-artifacts folder (`packagePath`) on its way to the build VM: zipped into a
 * content-addressed private blob (artifacts/packageFolder.ts), then customisers that bring it onto
 * the VM and unpack it before the user's script. Which way it goes:
 *   - up to 20 MB, when Image Builder's identity can read it: AIB downloads it (a `File`
 * customiser,
 *     checksum verified);
 *   - otherwise, when the build VM has identities (`buildVmIdentities`): a script on the VM gets a
 * storage
 *     token for one of them from the VM's metadata endpoint (IMDS) and downloads the blob with it,
 * sha256
 *     checked. Nothing secret is in the template. Which identity: on the task's own account the
 * first one
 *     listed, granted Storage Blob Data Reader on the container (as AIB's identity is); on a given
 * account
 *     the first one listed that holds a role reading blobs there — none: refused before any write,
 * with the
 *     command that grants the first one;
 *   - otherwise, above 20 MB (AIB's File customiser is not meant for large files): a script
 * downloads it with
 *     a read-only user-delegation SAS for that one blob. The SAS is a secret: it is masked, kept
 * out of the
 *     printed template and out of the template's name (so a rerun names the same template), and put
 * in only
 *     when the template is sent;
 *   - otherwise (up to 20 MB, a given account AIB's identity can't read, no build VM identity):
 * refused.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { StorageAccount } from '@azure/arm-storage';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { BlobServiceClient } from '@azure/storage-blob';
import { AzureContext } from '../../azure/clients';
import { storageProxyOptions } from '../../azure/network';
import { describeArmError } from '../../azure/armErrors';
import { getOrUndefined } from '../../azure/notFound';
import { RbacReader } from '../../azure/rbacCheck';
import {
  assignCommand,
  ensureRoleAssignment,
  objectIdAssignee,
  roleAssignmentAt,
} from '../../azure/roleAssignments';
import {
  artifactBlobName,
  packageFolder,
  PackagedFolder,
  userDelegationSas,
} from '../../artifacts';
import { digestFolder } from '../../artifacts/contentHash';
import { scanFolder } from '../../artifacts/folderScan';
import { DigestSink } from '../../artifacts/archiveSink';
import { writeZip } from '../../artifacts/zipWriter';
import { InputError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { PlanItem } from '../../core/plan';
import { parseResourceId } from '../../azure/resourceIds';
import { BuildClients } from '../clients';
import { Customizer } from '../template/customizers';
import { ArtifactsParams, OsType } from '../inputs/params';

export const ARTIFACTS_CONTAINER = 'buildimage-artifacts';
/** Largest archive handed to AIB's File customiser; above it the VM downloads it itself. */
export const FILE_CUSTOMIZER_LIMIT = 20 * 1024 * 1024;
/**
 * The SAS outlives the build timeout by this much (queueing, provisioning before the timeout
 * starts).
 */
const SAS_MARGIN_MS = 60 * 60_000;
/** Tag on the template: the archive's URL (no SAS), so `wait` can delete it when the build ends. */
export const ARTIFACTS_TAG = 'gip.artifacts';
/** Stands for the SAS URL in the printed and hashed template. */
const SAS_PLACEHOLDER = '<read-only SAS URL of the artifacts archive>';
const BLOB_DATA_READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';
const AIB_IDENTITY = "Image Builder's identity";
/**
 * The VM's instance metadata endpoint: a token for the blob service, for one of the VM's
 * identities.
 */
const IMDS_TOKEN_URL =
  'http://169.254.169.254/metadata/identity/oauth2' +
  '/token?api-version=2018-02-01&resource=https://storage.azure.com/';
/** A blob service version that takes bearer tokens (2017-11-09 or later). */
const BLOB_API_VERSION = '2023-11-03';
/**
 * What a zip adds per file at most, beyond its content (headers, central directory, data
 * descriptor, long names).
 */
const ZIP_OVERHEAD_PER_FILE = 1024;
export const BLOB_READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';

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

export interface Account {
  id: string;
  name: string;
  resourceGroup: string;
  blobEndpoint: string;
  own: boolean;
}

/**
 * The account the task makes for itself: one per subscription and resource group, same name every
 * run.
 */
export function ownAccountName(subscriptionId: string, resourceGroup: string): string {
  const hash = createHash('sha256').update(`${subscriptionId}/${resourceGroup}`.toLowerCase());
  return `gipart${hash.digest('hex').slice(0, 18)}`;
}

export function blobService(azure: AzureContext, endpoint: string): BlobServiceClient {
  return new BlobServiceClient(endpoint, azure.credential, {
    retryOptions: { maxTries: 4 },
    proxyOptions: storageProxyOptions(azure.network, endpoint),
  });
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

/**
 * Deletes the archive (or another blob the build uploaded: `what`) when the build has ended (kept
 * on request); failure only warns.
 */
export async function deleteArtifacts(
  azure: AzureContext,
  url: string,
  log: Logger,
  what = 'build artifacts archive',
): Promise<void> {
  const u = new URL(url);
  const [container, ...name] = u.pathname.replace(/^\//, '').split('/');
  // Azurite-style URLs carry the account in the path; Azure's in the host.
  const endpoint = url.slice(0, url.indexOf(`/${container}/${name.join('/')}`));
  try {
    await blobService(azure, endpoint)
      .getContainerClient(container)
      .deleteBlob(name.map(decodeURIComponent).join('/'), { deleteSnapshots: 'include' });
    log.info(`Deleted the ${what} ${url}.`);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return;
    log.warn(`Deleting the ${what} ${url} failed: ${describeArmError(err)}`);
  }
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

/**
 * A storage account named `storageAccountName`: anywhere in the subscription, so found by listing.
 */
export async function findAccountByName(
  clients: BuildClients,
  name: string,
  signal: AbortSignal,
): Promise<StorageAccount | undefined> {
  for await (const acct of clients.storage.storageAccounts.list({ abortSignal: signal })) {
    if (acct.name?.toLowerCase() === name.toLowerCase()) return acct;
  }
  return undefined;
}

export interface AccountOptions {
  azure: AzureContext;
  clients: BuildClients;
  /** The storageAccountName input; undefined: the task's own account. */
  storageAccount?: string;
  /** The template's resource group: the task's own account is there. */
  resourceGroup: string;
  /** Where the task's own account is made. */
  location: string;
  /** Given for a dry run: a missing own account is added to it, not made. */
  plan?: PlanItem[];
  log: Logger;
  signal: AbortSignal;
}

/**
 * With `plan` (a dry run) a missing own account is not created but added to `plan`, and stood for
 * by its id and name.
 */
export async function findOrCreateAccount(o: AccountOptions): Promise<Account> {
  const { clients, storageAccount, resourceGroup, log, signal } = o;
  const subscriptionId = o.azure.subscriptionId;
  const s = clients.storage.storageAccounts;
  if (storageAccount) {
    const acct = await findAccountByName(clients, storageAccount, signal);
    if (acct) {
      const p = parseResourceId(acct.id ?? '')!;
      if (!acct.primaryEndpoints?.blob)
        throw new InputError(
          'storageAccountName',
          `the storage account '${storageAccount}' has no blob endpoint`,
          'a StorageV2 or BlobStorage account',
        );
      return {
        id: acct.id!,
        name: acct.name!,
        resourceGroup: p.resourceGroup,
        blobEndpoint: acct.primaryEndpoints.blob,
        own: false,
      };
    }
    throw new InputError(
      'storageAccountName',
      `no storage account '${storageAccount}' in subscription ${subscriptionId} (or the ` +
        `service connection can't see it)`,
      'an existing account, or leave it empty to let the task create its own',
    );
  }
  const name = ownAccountName(subscriptionId, resourceGroup);
  let acct = await getOrUndefined(() =>
    s.getProperties(resourceGroup, name, { abortSignal: signal }),
  );
  if (!acct && o.plan) {
    o.plan.push({
      action: 'create',
      target: `storage account ${name} in ${resourceGroup}`,
      reason: 'missing',
      details: ['for build artifacts: private, no public blob access, TLS 1.2'],
    });
    const id =
      `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers` +
      `/Microsoft.Storage/storageAccounts/${name}`;
    return {
      id,
      name,
      resourceGroup: resourceGroup,
      blobEndpoint: `<blob endpoint of ${name}>`,
      own: true,
    };
  }
  if (!acct) {
    log.info(
      `Creating storage account ${name} in ${resourceGroup} for build artifacts ` +
        `(private, no public blob access, TLS 1.2)...`,
    );
    acct = await s.create(
      resourceGroup,
      name,
      {
        location: o.location,
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS' },
        allowBlobPublicAccess: false,
        minimumTlsVersion: 'TLS1_2',
        enableHttpsTrafficOnly: true,
        tags: { 'gip.managedBy': 'BuildImage', 'gip.purpose': 'build artifacts' },
      },
      { abortSignal: signal, updateIntervalInMs: 1_000 },
    );
  } else if (acct.allowBlobPublicAccess) {
    throw new InputError(
      'storageAccountName',
      `the task's own artifacts account ${name} allows public blob access (changed since ` +
        `it was created)`,
      `az storage account update -g ${resourceGroup} -n ${name} ` +
        `--allow-blob-public-access false`,
    );
  }
  if (!acct.primaryEndpoints?.blob)
    throw new Error(`The storage account ${name} reports no blob endpoint.`);
  return {
    id: acct.id!,
    name,
    resourceGroup: resourceGroup,
    blobEndpoint: acct.primaryEndpoints.blob,
    own: true,
  };
}

export interface GrantReaderOptions {
  auth: AuthorizationManagementClient;
  /** The artifacts container. */
  scope: string;
  principalId: string;
  /** Who the principal is, in words; Image Builder's identity by default. */
  who?: string;
  log: Logger;
  signal: AbortSignal;
}

/** Grants Storage Blob Data Reader on the artifacts container (kept when it is there). */
export async function grantReader(o: GrantReaderOptions): Promise<void> {
  const { scope, log, who = AIB_IDENTITY } = o;
  const { created } = await ensureRoleAssignment({
    auth: o.auth,
    scope,
    principalId: o.principalId,
    roleDefinitionId: readerRoleId(scope),
    description: `BuildImage: ${who} reads the build artifacts`,
    signal: o.signal,
    log,
  });
  if (created) log.info(`Granted ${who} Storage Blob Data Reader on the artifacts container.`);
}

/**
 * The Storage Blob Data Reader grant a dry run lists instead of making (grantReader): kept when the
 * principal holds it there already. Image Builder's is the same item for the archive and the local
 * files, which share the container. A principal not made yet (the task's own identity before its
 * first build) holds nothing.
 */
export async function readerItem(o: {
  auth: AuthorizationManagementClient;
  scope: string;
  principalId?: string;
  signal: AbortSignal;
  who?: string;
  reason?: string;
}): Promise<PlanItem> {
  const target = `role 'Storage Blob Data Reader' for ${o.who ?? AIB_IDENTITY} on ${o.scope}`;
  const held =
    o.principalId &&
    GUID.test(o.principalId) &&
    (await roleAssignmentAt({
      auth: o.auth,
      scope: o.scope,
      principalId: o.principalId,
      roleDefinitionId: readerRoleId(o.scope),
      signal: o.signal,
    }));
  return held
    ? { action: 'keep', target, reason: 'granted already' }
    : { action: 'create', target, reason: o.reason ?? 'to download what the task uploads there' };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readerRoleId(scope: string): string {
  return (
    `${scope.split('/').slice(0, 3).join('/')}/providers/Microsoft.Authorization` +
    `/roleDefinitions/${BLOB_DATA_READER}`
  );
}

/** The `az` command that lets a service principal read the blobs of the container at `scope`. */
export function readerCommand(principalId: string, scope: string): string {
  return assignCommand(objectIdAssignee(principalId), 'Storage Blob Data Reader', scope);
}

/**
 * Whether the principal's own role assignments let it read blobs at the scope (rbacCheck.ts
 * evaluates them).
 */
export function canRead(
  auth: AuthorizationManagementClient,
  scope: string,
  principalId: string,
  signal: AbortSignal,
): Promise<boolean> {
  return new RbacReader(auth, signal).holds(principalId, BLOB_READ, scope, true);
}

interface Placement {
  dir: string;
  zip: string;
  target: string;
}

function onVm(osType: OsType, folderName: string): Placement {
  return osType === 'Windows'
    ? {
        dir: 'C:\\BuildArtifacts',
        zip: `C:\\BuildArtifacts\\${folderName}.zip`,
        target: `C:\\BuildArtifacts\\${folderName}`,
      }
    : { dir: '/tmp', zip: `/tmp/${folderName}.zip`, target: `/tmp/${folderName}` };
}

function unpackLines(osType: OsType, p: Placement): string[] {
  return osType === 'Windows'
    ? [
        `Expand-Archive -LiteralPath '${p.zip}' -DestinationPath '${p.target}' -Force`,
        `Remove-Item -LiteralPath '${p.zip}' -Force`,
        `Write-Host 'Build artifacts unpacked to ${p.target}'`,
      ]
    : [
        `mkdir -p '${p.target}'`,
        `if command -v unzip >/dev/null 2>&1; then unzip -o -q '${p.zip}' -d ` +
          `'${p.target}'; else python3 -m zipfile -e '${p.zip}' '${p.target}'; fi`,
        `rm -f '${p.zip}'`,
        `echo 'Build artifacts unpacked to ${p.target}'`,
      ];
}

function fileCustomizers(packaged: PackagedFolder, osType: OsType, p: Placement): Customizer[] {
  const steps: Customizer[] = [];
  // AIB's File customiser needs the destination folder to exist on Windows.
  if (osType === 'Windows')
    steps.push({
      type: 'PowerShell',
      name: 'artifacts-folder',
      inline: [`New-Item -ItemType Directory -Force -Path '${p.dir}' | Out-Null`],
    });
  steps.push({
    type: 'File',
    name: 'artifacts-download',
    sourceUri: packaged.url,
    sha256Checksum: packaged.sha256,
    destination: p.zip,
  });
  steps.push(
    osType === 'Windows'
      ? {
          type: 'PowerShell',
          name: 'artifacts-unpack',
          inline: ["$ErrorActionPreference = 'Stop'", ...unpackLines(osType, p)],
        }
      : { type: 'Shell', name: 'artifacts-unpack', inline: ['set -e', ...unpackLines(osType, p)] },
  );
  return steps;
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

/**
 * Downloads the archive on the VM with a storage token for the VM identity `clientId` from the
 * metadata endpoint.
 */
function identityCustomizer(
  packaged: PackagedFolder,
  osType: OsType,
  p: Placement,
  clientId: string,
): Customizer {
  const imds = `${IMDS_TOKEN_URL}&client_id=${clientId}`;
  if (osType === 'Windows') {
    return {
      type: 'PowerShell',
      name: 'artifacts-unpack',
      inline: [
        "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'",
        `New-Item -ItemType Directory -Force -Path '${p.dir}' | Out-Null`,
        `$token = (Invoke-RestMethod -UseBasicParsing -Headers @{ Metadata = 'true' } -Uri ` +
          `'${imds}').access_token`,
        `Invoke-WebRequest -UseBasicParsing -Headers @{ Authorization = "Bearer $token"; ` +
          `'x-ms-version' = '${BLOB_API_VERSION}' } -Uri '${packaged.url}' -OutFile ` +
          `'${p.zip}'`,
        `if ((Get-FileHash -Algorithm SHA256 -LiteralPath '${p.zip}').Hash -ne ` +
          `'${packaged.sha256.toUpperCase()}') { throw 'The build artifacts archive does not ` +
          `match its sha256 checksum.' }`,
        ...unpackLines(osType, p),
      ],
    };
  }
  return {
    type: 'Shell',
    name: 'artifacts-unpack',
    inline: [
      'set -e',
      // No jq on a bare image: the token is cut out of IMDS's one-line JSON; the metadata endpoint
      // is never proxied.
      `IMDS=$(curl -fsS --retry 5 --noproxy '*' -H 'Metadata: true' '${imds}')`,
      `TOKEN=$(printf '%s' "$IMDS" | sed -n 's/.*"access_token": *"\\([^"]*\\)".*/\\1/p')`,
      `curl -fsS --retry 5 -H "Authorization: Bearer $TOKEN" -H 'x-ms-version: ` +
        `${BLOB_API_VERSION}' -o '${p.zip}' '${packaged.url}'`,
      `printf '%s  %s\\n' '${packaged.sha256}' '${p.zip}' | sha256sum -c --quiet -`,
      ...unpackLines(osType, p),
    ],
  };
}

function sasCustomizer(packaged: PackagedFolder, osType: OsType, p: Placement): Customizer {
  if (osType === 'Windows') {
    return {
      type: 'PowerShell',
      name: 'artifacts-unpack',
      inline: [
        "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'",
        `New-Item -ItemType Directory -Force -Path '${p.dir}' | Out-Null`,
        `Invoke-WebRequest -UseBasicParsing -Uri '${SAS_PLACEHOLDER}' -OutFile '${p.zip}'`,
        `if ((Get-FileHash -Algorithm SHA256 -LiteralPath '${p.zip}').Hash -ne ` +
          `'${packaged.sha256.toUpperCase()}') { throw 'The build artifacts archive does not ` +
          `match its sha256 checksum.' }`,
        ...unpackLines(osType, p),
      ],
    };
  }
  return {
    type: 'Shell',
    name: 'artifacts-unpack',
    inline: [
      'set -e',
      `curl -fsS --retry 5 -o '${p.zip}' '${SAS_PLACEHOLDER}'`,
      `printf '%s  %s\\n' '${packaged.sha256}' '${p.zip}' | sha256sum -c --quiet -`,
      ...unpackLines(osType, p),
    ],
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
