/**
 * Reads the source of a new image version (managed image, VM, gallery image version or VHD blob)
 * and what it reveals about itself: region, OS type and state, Hyper-V generation, security type. A
 * source that does not exist fails here, before anything is written.
 */
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import { AzureContext } from '../azure/clients';
import { describeArmError } from '../azure/armErrors';
import { Logger } from '../core/logger';
import { ArmClient } from '../azure/armClient';
import { computeClient } from '../azure/sdkClients';
import { ImageTraits, securityTypeOf, SecurityType } from './compatibility';
import { SourceParams } from './params';
import { parseGalleryId, parseResourceId, shortName } from '../azure/resourceIds';
import {
  detectSourceKind,
  SOURCE_LABEL,
  VersionSourceKind,
  storageAccountNameOf,
} from './sourceRef';

export interface SourceInfo extends ImageTraits {
  kind: VersionSourceKind;
  ref: string;
  /** "managed image 'img-1' (rg-images)", for messages. */
  describe: string;
  location?: string;
  /** VHD: the storage account that holds the blob. */
  storageAccountId?: string;
  /** Gallery image version: the regions it is replicated to. */
  regions?: string[];
}

const STORAGE_API = '2023-05-01';

/** What each kind of source is inspected with. */
interface SourceLookup {
  azure: AzureContext;
  src: SourceParams;
  /** The source's resource id or URI (src.ref). */
  id: string;
  /** The source in words, for messages. */
  describe: string;
  log: Logger;
  signal: AbortSignal;
}

export async function inspectSource(
  azure: AzureContext,
  src: SourceParams,
  log: Logger,
  signal: AbortSignal,
): Promise<SourceInfo> {
  const describe = describeRef(src.kind, src.ref);
  const lookup: SourceLookup = { azure, src, id: src.ref, describe, log, signal };
  try {
    switch (src.kind) {
      case 'managedImage':
        return await managedImage(lookup);
      case 'virtualMachine':
        return await virtualMachine(lookup);
      case 'galleryImageVersion':
        return await galleryVersion(lookup);
      case 'vhd':
        return await vhd(lookup);
    }
  } catch (err) {
    if (err instanceof SourceError) throw err;
    const e = err as { statusCode?: number; code?: string };
    if (e?.statusCode === 404 || /NotFound$/i.test(e?.code ?? '')) {
      throw new SourceError(
        `The source ${describe} does not exist, or is in a subscription the service ` +
          `connection can't see: ${src.ref}`,
      );
    }
    throw new SourceError(`Reading the source ${describe} failed: ${describeArmError(err)}`);
  }
}

/** A problem with the source, stated for the user; raised before any write. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

/** A stored source (id or URI) in words, whatever its kind. */
export function describeAnySource(ref: string | undefined): string {
  if (!ref) return 'an unknown source';
  const kind = detectSourceKind(ref);
  return kind ? describeRef(kind, ref) : `'${ref}'`;
}

function describeRef(kind: VersionSourceKind, ref: string): string {
  if (kind === 'vhd') return `VHD '${ref.split('?')[0]}'`;
  const p = parseResourceId(ref);
  const g = parseGalleryId(ref);
  const name = g?.version ? `${g.gallery}/${g.definition}/${g.version}` : shortName(ref);
  return `${SOURCE_LABEL[kind]} '${name}'${p ? ` (${p.resourceGroup})` : ''}`;
}

async function managedImage({ azure, id, describe, signal }: SourceLookup): Promise<SourceInfo> {
  const p = parseResourceId(id)!;
  const image = await computeClient(azure, p.subscriptionId).images.get(
    p.resourceGroup,
    p.levels[0][1],
    { abortSignal: signal },
  );
  const os = image.storageProfile?.osDisk;
  return {
    kind: 'managedImage',
    ref: id,
    describe,
    location: image.location,
    osType: os?.osType,
    osState: os?.osState,
    hyperVGeneration: image.hyperVGeneration ?? 'V1',
    securityType: 'Standard',
  };
}

async function virtualMachine({ azure, id, describe, signal }: SourceLookup): Promise<SourceInfo> {
  const p = parseResourceId(id)!;
  const vm = await computeClient(azure, p.subscriptionId).virtualMachines.get(
    p.resourceGroup,
    p.levels[0][1],
    { expand: 'instanceView', abortSignal: signal },
  );
  const statuses = vm.instanceView?.statuses?.map((s) => s.code?.toLowerCase() ?? '') ?? [];
  const security = vm.securityProfile?.securityType;
  return {
    kind: 'virtualMachine',
    ref: id,
    describe,
    location: vm.location,
    osType: vm.storageProfile?.osDisk?.osType,
    // A VM that was generalized (sysprep / waagent -deprovision, then "az vm generalize") reports
    // it.
    osState: statuses.includes('osstate/generalized')
      ? 'Generalized'
      : vm.instanceView
        ? 'Specialized'
        : undefined,
    hyperVGeneration: vm.instanceView?.hyperVGeneration,
    securityType: /^trustedlaunch$/i.test(security ?? '')
      ? 'TrustedLaunch'
      : /^confidentialvm$/i.test(security ?? '')
        ? 'ConfidentialVM'
        : 'Standard',
  };
}

async function galleryVersion({ azure, id, describe, signal }: SourceLookup): Promise<SourceInfo> {
  const g = parseGalleryId(id)!;
  const compute = computeClient(azure, g.subscriptionId);
  const version = await compute.galleryImageVersions.get(
    g.resourceGroup,
    g.gallery,
    g.definition!,
    g.version!,
    { abortSignal: signal },
  );
  if (version.provisioningState && !/^succeeded$/i.test(version.provisioningState)) {
    throw new SourceError(
      `The source ${describe} is not usable: its provisioning state is ` +
        `${version.provisioningState}.`,
    );
  }
  const definition = await compute.galleryImages.get(g.resourceGroup, g.gallery, g.definition!, {
    abortSignal: signal,
  });
  const security: SecurityType = securityTypeOf(definition.features);
  return {
    kind: 'galleryImageVersion',
    ref: id,
    describe,
    location: version.location,
    osType: definition.osType,
    osState: definition.osState,
    hyperVGeneration: definition.hyperVGeneration ?? 'V1',
    securityType: security,
    architecture: definition.architecture,
    regions: version.publishingProfile?.targetRegions?.map((t) => t.name),
  };
}

async function vhd({ azure, src, describe, log, signal }: SourceLookup): Promise<SourceInfo> {
  const arm = new ArmClient(azure);
  let accountId = src.storageAccountId;
  if (!accountId) {
    const name = storageAccountNameOf(src.ref);
    if (!name)
      throw new SourceError(
        `The storage account of the ${describe} can't be told from its URI; set ` +
          `sourceStorageAccountId.`,
      );
    const accounts = await arm.list<{ id: string; name: string }>(
      `/subscriptions/${azure.subscriptionId}/resources?$filter=` +
        `${encodeURIComponent("resourceType eq 'Microsoft.Storage/storageAccounts'")}`,
      '2021-04-01',
      signal,
    );
    accountId = accounts.find((a) => a.name.toLowerCase() === name)?.id;
    if (!accountId) {
      throw new SourceError(
        `The storage account '${name}' that holds the ${describe} is not in subscription ` +
          `${azure.subscriptionId}; set sourceStorageAccountId to its resource id.`,
      );
    }
    log.info(`The VHD is in storage account ${accountId}.`);
  }
  const account = await arm.get<{ location?: string }>(accountId, STORAGE_API, signal);
  await checkBlob(azure, src.ref, describe, log, signal);
  return {
    kind: 'vhd',
    ref: src.ref,
    describe,
    location: account.location,
    storageAccountId: accountId,
  };
}

/**
 * The blob exists and is a page blob (Compute imports VHDs from page blobs only). Checked with the
 * connection's token (Storage Blob Data Reader), or the URI's own SAS when it has one; when the
 * connection may not read blobs, Compute checks it when the version is created.
 */
async function checkBlob(
  azure: AzureContext,
  uri: string,
  describe: string,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  const pipeline = createEmptyPipeline();
  if (azure.policy) pipeline.addPolicy(azure.policy);
  if (!new URL(uri).search) {
    pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({
        credential: azure.credential,
        scopes: 'https://storage.azure.com/.default',
      }),
    );
  }
  const request = createPipelineRequest({
    url: uri,
    method: 'HEAD',
    abortSignal: signal,
    headers: createHttpHeaders({ 'x-ms-version': '2023-11-03' }),
  });
  const response = await pipeline.sendRequest(createDefaultHttpClient(), request);
  if (response.status === 404) throw new SourceError(`The source ${describe} does not exist.`);
  if (response.status === 401 || response.status === 403) {
    log.info(
      `Could not check that the ${describe} exists: the service connection may not read ` +
        `blobs there (Storage Blob Data Reader). Azure checks it when the version is created.`,
    );
    return;
  }
  if (response.status >= 400)
    throw new SourceError(
      `Checking the source ${describe} failed: the blob service answered ${response.status}.`,
    );
  const type = response.headers.get('x-ms-blob-type');
  if (type && !/^pageblob$/i.test(type)) {
    throw new SourceError(
      `The source ${describe} is a ${type}; Azure imports VHDs from page blobs only. ` +
        `Upload it as a page blob (azcopy --blob-type PageBlob).`,
    );
  }
}
