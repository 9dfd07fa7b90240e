// Azure Compute Gallery (GalleryRP 2024-03-03): galleries, image definitions and image versions.
// Image versions replicate to their target regions over time (replication.ts);
// `$expand=ReplicationStatus` shows per-region progress. Error texts are those of the Compute
// Gallery troubleshooting guide. The image builder's SharedImage distributor creates versions
// through publishImageVersion(), the same checks and replication as a PUT from a client.
import { ArmError } from '../arm/errors';
import type { ArmRequest, ResourceTypeDef, SimServices } from '../arm/framework';
import { buildResource, clone, normaliseLocation } from '../arm/helpers';
import type { OperationHandle } from '../arm/operations';
import { sameId } from '../arm/paths';
import type { Principal } from '../arm/rbac';
import type { StoredResource } from '../arm/store';
import { subscriptionOf } from '../arm/subscriptions';
import { sleepReal } from '../core/clock';
import { IMAGE_TYPE, VM_TYPE, sourceTraits } from './computeImages';
import { galleryView, shareAction } from './gallerySharing';
import { regionDisplayName, regionKey, sameRegion } from './regions';
import {
  aggregatedState,
  completedPlan,
  planRegions,
  RegionPlan,
  regionStatus,
  RegionStatus,
  replicationFailureMessage,
  ReplicationFailureSpec,
  settlesAt,
} from './replication';

export const GALLERY_TYPE = 'Microsoft.Compute/galleries';
export const GALLERY_IMAGE_TYPE = 'Microsoft.Compute/galleries/images';
export const GALLERY_IMAGE_VERSION_TYPE = 'Microsoft.Compute/galleries/images/versions';

// Compute answers gallery PUT/PATCH/DELETE as long-running operations polled at
// .../capsOperations/{id}.
const CAPS = {
  header: 'Azure-AsyncOperation' as const,
  asyncSegment: 'capsOperations',
  retryAfterSeconds: 10,
};
const BOTH = {
  header: 'both' as const,
  asyncSegment: 'capsOperations',
  retryAfterSeconds: 10,
  status: 202 as const,
};

function invalidParameter(message: string, target?: string): ArmError {
  return new ArmError(400, 'InvalidParameter', message, target ? { target } : {});
}

function nestedResourcesExist(): ArmError {
  return new ArmError(
    409,
    'CannotDeleteResource',
    'Can not delete resource before nested resources are deleted.',
  );
}

/** `date` comes from a body validated against the spec: a string (date-time) when given. */
function checkEndOfLife(date: string | null | undefined): void {
  if (date === undefined || date === null) return;
  const t = Date.parse(String(date));
  if (Number.isNaN(t))
    throw invalidParameter(`Could not convert string to DateTimeOffset: ${String(date)}.`);
  if (t <= Date.now()) throw invalidParameter('EndOfLifeDate must be set to a future date.');
}

// ---------------------------------------------------------------- galleries

const GALLERY_NAME = /^[A-Za-z0-9]([A-Za-z0-9._]{0,78}[A-Za-z0-9])?$/;

const galleryDef: ResourceTypeDef = {
  type: GALLERY_TYPE,
  apiVersions: ['2024-03-03', '2023-07-03', '2022-03-03'],
  lro: {
    put: { ...CAPS, durationMs: 10_000 },
    patch: { ...CAPS, durationMs: 5_000 },
    delete: { ...BOTH, durationMs: 10_000 },
  },
  build(req, existing) {
    if (!GALLERY_NAME.test(req.level!.name!)) {
      throw invalidParameter(
        'Gallery name is invalid. Allowed characters are English alphanumeric characters, ' +
          'with underscores, and periods allowed in the middle, up to 80 characters total. ' +
          'All other special characters, including dashes, are disallowed.',
        'galleryName',
      );
    }
    const doc = buildResource(req, galleryDef, existing);
    doc.properties.identifier = { uniqueName: `${req.subscriptionId}-${doc.name.toUpperCase()}` };
    return doc;
  },
  seed(r, sim) {
    r.properties = {
      ...(r.properties ?? {}),
      identifier: {
        uniqueName: `${subscriptionOf(r.id) ?? sim.info.subscriptionId}-${r.name.toUpperCase()}`,
      },
      provisioningState: r.properties?.provisioningState ?? 'Succeeded',
    };
    return r;
  },
  beforeDelete(req, r) {
    if (req.sim.store.list({ type: GALLERY_IMAGE_TYPE, under: r.id }).length > 0)
      throw nestedResourcesExist();
  },
  view: galleryView,
  actions: { share: shareAction },
};

// ---------------------------------------------------------------- image definitions

const IMMUTABLE_IMAGE_PROPERTIES = [
  'osType',
  'osState',
  'hyperVGeneration',
  'identifier.publisher',
  'identifier.offer',
  'identifier.sku',
];

function at(obj: any, dotted: string): any {
  return dotted
    .split('.')
    .reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

const imageDef: ResourceTypeDef = {
  type: GALLERY_IMAGE_TYPE,
  requiresLocation: true,
  requiredOnPut: ['properties.osType', 'properties.osState', 'properties.identifier'],
  lro: {
    put: { ...CAPS, durationMs: 10_000 },
    patch: { ...CAPS, durationMs: 5_000 },
    delete: { ...BOTH, durationMs: 10_000 },
  },
  build(req, existing) {
    const doc = buildResource(req, imageDef, existing);
    const p = doc.properties;
    if (p.hyperVGeneration === undefined)
      p.hyperVGeneration = existing?.properties?.hyperVGeneration ?? 'V1';
    if (p.architecture === undefined) p.architecture = 'x64';
    if (existing) {
      for (const k of IMMUTABLE_IMAGE_PROPERTIES) {
        const before = at(existing.properties, k);
        const after = at(p, k);
        if (String(before ?? '').toLowerCase() !== String(after ?? '').toLowerCase()) {
          throw new ArmError(
            400,
            'PropertyChangeNotAllowed',
            `Changing property 'galleryImage.properties.${k}' is not allowed.`,
            { target: `galleryImage.properties.${k}` },
          );
        }
      }
    } else {
      checkEndOfLife(p.endOfLifeDate);
      const id = p.identifier ?? {};
      const galleryId = doc.id.slice(0, doc.id.toLowerCase().lastIndexOf('/images/'));
      const clash = req.sim.store
        .list({ type: GALLERY_IMAGE_TYPE, under: galleryId })
        .find((o) =>
          ['publisher', 'offer', 'sku'].every(
            (k) =>
              String(o.properties?.identifier?.[k] ?? '').toLowerCase() ===
              String(id[k] ?? '').toLowerCase(),
          ),
        );
      if (clash) {
        throw new ArmError(
          409,
          'Conflict',
          `Gallery image: ${clash.name} identified by (publisher:${id.publisher}, ` +
            `offer:${id.offer}, sku:${id.sku}) already exists. Choose a different publisher, ` +
            `offer, sku combination.`,
        );
      }
    }
    return doc;
  },
  seed(r) {
    r.properties = { hyperVGeneration: 'V1', architecture: 'x64', ...(r.properties ?? {}) };
    r.properties.provisioningState = r.properties.provisioningState ?? 'Succeeded';
    return r;
  },
  beforeDelete(req, r) {
    if (req.sim.store.list({ type: GALLERY_IMAGE_VERSION_TYPE, under: r.id }).length > 0)
      throw nestedResourcesExist();
  },
};

// ---------------------------------------------------------------- image versions

const VERSION_NAME = /^\d{1,10}\.\d{1,10}\.\d{1,10}$/;

/** What replication knows about a version: per-region plans, kept in the store's meta. */
function plansOf(sim: SimServices, versionId: string): RegionPlan[] {
  return (sim.store.meta(versionId).replication ??= []) as RegionPlan[];
}

export function replicationStatusOf(
  sim: SimServices,
  versionId: string,
): { aggregatedState: string; summary: RegionStatus[] } {
  const now = Date.now();
  const summary = plansOf(sim, versionId).map((p) => regionStatus(p, now));
  return { aggregatedState: aggregatedState(summary), summary };
}

/** The parent image definition of a version id. */
function parentImageId(versionId: string): string {
  return versionId.slice(0, versionId.toLowerCase().lastIndexOf('/versions/'));
}

interface SourceCheck {
  sim: SimServices;
  versionId: string;
  location: string;
  image: StoredResource;
  caller?: Principal;
  /**
   * Authorization action of the write that references the source (for LinkedAuthorizationFailed).
   */
  writeAction: string;
}

/** Validates storageProfile.source / osDiskImage.source and returns the source's traits. */
function checkSource(
  c: SourceCheck,
  storageProfile: any,
): { generation?: string; osType?: string } {
  const src = storageProfile?.source ?? {};
  const osSrc = storageProfile?.osDiskImage?.source;
  const ids = [src.id, src.virtualMachineId, src.communityGalleryImageId].filter(
    (x) => typeof x === 'string' && x !== '',
  );
  const direct = ids.length > 0;
  if ((direct && osSrc !== undefined) || ids.length > 1 || (!direct && osSrc === undefined)) {
    throw invalidParameter(
      'The gallery artifact version source can only be specified either directly under ' +
        'storageProfile or within individual OS or data disks. One and only one source type ' +
        '(user image, snapshot, disk, virtual machine) can be provided.',
      'galleryImageVersion.properties.storageProfile.source',
    );
  }
  if (!direct) {
    if (typeof osSrc.uri !== 'string' || typeof osSrc.storageAccountId !== 'string') {
      throw invalidParameter(
        'The source of the OS disk image must give both uri and storageAccountId for a VHD.',
        'galleryImageVersion.properties.storageProfile.osDiskImage.source',
      );
    }
    if (!c.sim.store.get(osSrc.storageAccountId))
      throw invalidParameter(
        `Source was not found: ${osSrc.storageAccountId}. Please make sure the source exists.`,
        'galleryImageVersion.properties.storageProfile.osDiskImage.source.storageAccountId',
      );
    return {};
  }
  const id = ids[0] as string;
  const target =
    `galleryImageVersion.properties.storageProfile.source.` +
    `${src.virtualMachineId ? 'virtualMachineId' : 'id'}`;
  if (!/^\/subscriptions\/[^/]+\//i.test(id)) {
    throw invalidParameter(
      `Property id '${id}' at path 'properties.storageProfile.source.id' is invalid. ` +
        `Expect fully qualified resource Id that start with ` +
        `'/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`,
      target,
    );
  }
  if (src.communityGalleryImageId)
    throw invalidParameter(
      'Community gallery image versions as sources are not implemented by the simulator.',
      target,
    );
  const resource = c.sim.store.get(id);
  const kind = resource?.type.toLowerCase();
  const allowed = [IMAGE_TYPE, VM_TYPE, GALLERY_IMAGE_VERSION_TYPE].map((t) => t.toLowerCase());
  if (resource && !allowed.includes(kind!))
    throw invalidParameter(
      `The source id: ${id} must either be a managed image, virtual machine or another ` +
        `gallery image version.`,
      target,
    );
  if (!resource) {
    if (
      !new RegExp(
        '\\/providers\\/Microsoft\\.Compute\\/(images|virtualMachines|galleries\\/[^/]+\\' +
          '/images\\/[^' +
          '/]+\\/versions)\\/[^/]+$',
        'i',
      ).test(id)
    ) {
      throw invalidParameter(
        `The source id: ${id} must either be a managed image, virtual machine or another ` +
          `gallery image version.`,
        target,
      );
    }
    throw invalidParameter(
      `Source ${id} is not found. Please check source exists, and is in the same region as ` +
        `gallery image version being created.`,
      target,
    );
  }
  if (
    kind !== GALLERY_IMAGE_VERSION_TYPE.toLowerCase() &&
    resource.location &&
    !sameRegion(resource.location, c.location)
  ) {
    throw invalidParameter(
      `Source ${id} is not found. Please check source exists, and is in the same region as ` +
        `gallery image version being created.`,
      target,
    );
  }
  if (c.caller) {
    c.sim.rbac.requireLinked(
      c.caller,
      { action: c.writeAction, scope: c.versionId },
      { action: `${resource.type}/read`, scope: resource.id },
    );
  }
  if (kind === GALLERY_IMAGE_VERSION_TYPE.toLowerCase()) {
    const parent = c.sim.store.get(parentImageId(resource.id));
    return { generation: parent?.properties?.hyperVGeneration, osType: parent?.properties?.osType };
  }
  return sourceTraits(resource);
}

function checkTraits(
  id: string,
  traits: { generation?: string; osType?: string },
  image: StoredResource,
): void {
  const wantGen = image.properties?.hyperVGeneration ?? 'V1';
  if (traits.generation && traits.generation.toLowerCase() !== String(wantGen).toLowerCase()) {
    throw invalidParameter(
      `The resource with id '${id}' has a different Hypervisor generation ` +
        `['${traits.generation}'] than the parent gallery image Hypervisor generation ` +
        `['${wantGen}']`,
    );
  }
  const wantOs = image.properties?.osType;
  if (traits.osType && wantOs && traits.osType.toLowerCase() !== String(wantOs).toLowerCase()) {
    throw invalidParameter(
      `The resource with id '${id}' has a different OS type ['${traits.osType}'] than the ` +
        `parent gallery image OS type generation ['${wantOs}']`,
    );
  }
}

export interface VersionRequest {
  sim: SimServices;
  id: string;
  body: any;
  existing?: StoredResource;
  /** The principal whose rights on the source are checked (undefined: none checked). */
  caller?: Principal;
}

/**
 * Validates a version PUT and builds its document; plans replication for regions not replicated
 * yet. Shared by the ARM PUT handler and the image builder's SharedImage distributor.
 */
export function prepareImageVersion(v: VersionRequest): StoredResource {
  const { sim, id, body, existing } = v;
  const name = id.split('/').pop()!;
  if (!VERSION_NAME.test(name) || name.split('.').some((x) => Number(x) > 2147483647)) {
    throw invalidParameter(
      'The image version name is invalid. The image version name should follow ' +
        'Major(int).Minor(int).Patch(int) format, for e.g: 1.0.0, 2018.12.1 etc.',
      'galleryImageVersionName',
    );
  }
  const image = sim.store.get(parentImageId(id));
  if (!image)
    throw new ArmError(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource '${id
        .split('/')
        .slice(-5, -2)
        .filter((_, i) => i !== 1)
        .join('/')}' not found.`,
    );
  const location = normaliseLocation(
    String(body.location ?? existing?.location ?? image.location ?? ''),
  );
  const props = clone(body.properties ?? {});
  const pp = props.publishingProfile ?? {};
  const storageProfile =
    props.storageProfile ?? (existing ? clone(existing.properties.storageProfile) : undefined);

  if (existing) {
    const before =
      existing.properties?.storageProfile?.source?.id ??
      existing.properties?.storageProfile?.source?.virtualMachineId;
    const after = storageProfile?.source?.id ?? storageProfile?.source?.virtualMachineId;
    if (after !== undefined && before !== undefined && !sameId(before, after)) {
      throw invalidParameter(
        "Changing property 'galleryImageVersion.properties.storageProfile.source.id' is " +
          'not allowed.',
        'galleryImageVersion.properties.storageProfile.source.id',
      );
    }
  } else {
    const traits = checkSource(
      {
        sim,
        versionId: id,
        location,
        image,
        caller: v.caller,
        writeAction: `${GALLERY_IMAGE_VERSION_TYPE}/write`,
      },
      storageProfile,
    );
    checkTraits(
      storageProfile?.source?.id ?? storageProfile?.source?.virtualMachineId ?? id,
      traits,
      image,
    );
  }
  checkEndOfLife(pp.endOfLifeDate);

  // Target regions: default the version's own region; must include it; no duplicates; replica
  // counts 1..100.
  const replicaCount =
    pp.replicaCount ?? existing?.properties?.publishingProfile?.replicaCount ?? 1;
  const storageAccountType =
    pp.storageAccountType ??
    existing?.properties?.publishingProfile?.storageAccountType ??
    'Standard_LRS';
  const requested: any[] = pp.targetRegions ??
    existing?.properties?.publishingProfile?.targetRegions ?? [{ name: location }];
  const seen = new Set<string>();
  for (const t of requested) {
    const k = regionKey(String(t.name));
    if (seen.has(k))
      throw invalidParameter(
        'Duplicate regions are not allowed in target publishing regions.',
        'galleryImageVersion.properties.publishingProfile.targetRegions',
      );
    seen.add(k);
    const count = t.regionalReplicaCount ?? replicaCount;
    if (!Number.isInteger(count) || count < 1 || count > 100) {
      throw invalidParameter(
        `The value ${count} of parameter ` +
          `'galleryImageVersion.properties.publishingProfile.targetRegions.regionalReplicaCount' ` +
          `is out of range. The value must be between 1 and 100, inclusive.`,
        'galleryImageVersion.properties.publishingProfile.targetRegions.regionalReplicaCount',
      );
    }
  }
  if (!seen.has(regionKey(location))) {
    throw invalidParameter(
      `Gallery image version publishing profile regions ` +
        `'${requested.map((t) => t.name).join(', ')}' must contain the location of image ` +
        `version '${location}'.`,
      'galleryImageVersion.properties.publishingProfile.targetRegions',
    );
  }
  const safety = {
    allowDeletionOfReplicatedLocations: false,
    ...(existing?.properties?.safetyProfile ?? {}),
    ...(props.safetyProfile ?? {}),
  };
  if (existing) {
    const removed = (existing.properties?.publishingProfile?.targetRegions ?? []).filter(
      (t: any) => !seen.has(regionKey(t.name)),
    );
    if (removed.length > 0 && safety.allowDeletionOfReplicatedLocations !== true) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Removing replicated regions (${removed.map((t: any) => t.name).join(', ')}) from ` +
          `gallery image version '${name}' is not allowed because ` +
          `safetyProfile.allowDeletionOfReplicatedLocations is false.`,
      );
    }
  }

  const doc: StoredResource = {
    id: existing?.id ?? id,
    name: existing?.name ?? name,
    type: GALLERY_IMAGE_VERSION_TYPE,
    location,
    tags: clone(body.tags ?? existing?.tags ?? {}),
    properties: {
      ...props,
      publishingProfile: {
        ...(existing?.properties?.publishingProfile ?? {}),
        ...pp,
        targetRegions: requested.map((t) => ({
          ...t,
          name: regionDisplayName(String(t.name)),
          regionalReplicaCount: t.regionalReplicaCount ?? replicaCount,
          storageAccountType: t.storageAccountType ?? storageAccountType,
          excludeFromLatest:
            t.excludeFromLatest ??
            pp.excludeFromLatest ??
            existing?.properties?.publishingProfile?.excludeFromLatest ??
            false,
        })),
        replicaCount,
        storageAccountType,
        excludeFromLatest:
          pp.excludeFromLatest ??
          existing?.properties?.publishingProfile?.excludeFromLatest ??
          false,
        publishedDate:
          existing?.properties?.publishingProfile?.publishedDate ?? new Date().toISOString(),
      },
      storageProfile: {
        ...storageProfile,
        osDiskImage: {
          sizeInGB: 127,
          hostCaching: 'ReadWrite',
          ...(storageProfile?.osDiskImage ?? {}),
        },
        dataDiskImages: storageProfile?.dataDiskImages ?? [],
      },
      safetyProfile: { ...safety, reportedForPolicyViolation: false },
    },
  };
  delete doc.properties.replicationStatus;
  return doc;
}

/**
 * After a version is stored: plan replication of its new regions (existing regions keep their
 * state).
 */
function planReplication(sim: SimServices, doc: StoredResource): void {
  const plans = plansOf(sim, doc.id);
  const wanted: string[] = doc.properties.publishingProfile.targetRegions.map((t: any) => t.name);
  const kept = plans.filter((p) => wanted.some((w) => sameRegion(w, p.region)));
  // A region that failed is retried when the client PUTs again (Azure's advice: update to retry).
  const retry = kept.filter((p) => regionStatus(p).state === 'Failed');
  const fresh = wanted.filter(
    (w) => !kept.some((p) => sameRegion(p.region, w)) || retry.some((p) => sameRegion(p.region, w)),
  );
  const failures = sim.scenario.replicationFailures as ReplicationFailureSpec[] | undefined;
  const next = [
    ...kept.filter((p) => !retry.includes(p)),
    ...planRegions(sim.clock, fresh, doc.id, failures),
  ];
  sim.store.meta(doc.id).replication = next;
}

/** Waits until every region is Completed or Failed; throws Compute's error when one failed. */
export async function awaitReplication(
  sim: SimServices,
  versionId: string,
  signal: AbortSignal,
): Promise<void> {
  const plans = plansOf(sim, versionId);
  const until = Math.max(Date.now(), ...plans.map(settlesAt));
  await sleepReal(until - Date.now() + 5, signal);
  const status = replicationStatusOf(sim, versionId);
  if (status.aggregatedState === 'Failed') {
    throw new ArmError(500, 'ReplicationFailed', replicationFailureMessage(status.summary));
  }
}

/**
 * Creates (or updates) a version and waits for its replication: used by the image builder's
 * distributor.
 */
export async function publishImageVersion(
  v: VersionRequest,
  signal: AbortSignal,
): Promise<StoredResource> {
  const doc = prepareImageVersion(v);
  doc.properties.provisioningState = v.existing ? 'Updating' : 'Creating';
  const stored = v.sim.store.put(doc);
  versionDef.onStored!(stored, v.sim);
  try {
    await awaitReplication(v.sim, stored.id, signal);
    if (v.sim.store.get(stored.id) === stored) stored.properties.provisioningState = 'Succeeded';
  } catch (e) {
    if (v.sim.store.get(stored.id) === stored) stored.properties.provisioningState = 'Failed';
    throw e;
  }
  return stored;
}

/**
 * A VHD source on this simulator's Azurite must exist (URLs elsewhere cannot be checked and are
 * accepted).
 */
async function checkVhdBlob(sim: SimServices, body: any): Promise<void> {
  const uri = body?.properties?.storageProfile?.osDiskImage?.source?.uri;
  if (typeof uri !== 'string') return;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw invalidParameter(
      `The value '${uri}' of parameter ` +
        `'galleryImageVersion.properties.storageProfile.osDiskImage.source.uri' is invalid.`,
      'galleryImageVersion.properties.storageProfile.osDiskImage.source.uri',
    );
  }
  const azurite = new URL(sim.info.blobEndpointTemplate.replace('{account}', 'x'));
  if (u.hostname !== azurite.hostname || u.port !== azurite.port) return;
  const [account, container, ...blob] = u.pathname
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const exists =
    !!account &&
    !!container &&
    blob.length > 0 &&
    !!sim.storage.keys(account) &&
    (await sim.storage
      .client(account)
      .getContainerClient(container)
      .getBlobClient(blob.join('/'))
      .exists()
      .catch(() => false));
  if (!exists)
    throw invalidParameter(
      `Source was not found: ${uri}. Please make sure the source exists.`,
      'galleryImageVersion.properties.storageProfile.osDiskImage.source.uri',
    );
}

export const versionDef: ResourceTypeDef = {
  type: GALLERY_IMAGE_VERSION_TYPE,
  requiresLocation: true,
  lro: { put: { ...CAPS }, patch: { ...CAPS }, delete: { ...BOTH, durationMs: 30_000 } },
  async beforePut(req, existing) {
    if (!existing) await checkVhdBlob(req.sim, req.body);
  },
  build(req: ArmRequest, existing) {
    return prepareImageVersion({
      sim: req.sim,
      id: req.level!.id,
      body: req.body,
      existing,
      caller: req.caller,
    });
  },
  onStored(r, sim) {
    if (!sim.store.meta(r.id).replication) sim.store.meta(r.id).replication = [];
    // A PATCH merges targetRegions as sent: give them the names and defaults a PUT gets.
    const pp = r.properties?.publishingProfile;
    if (pp?.targetRegions) {
      pp.targetRegions = pp.targetRegions.map((t: any) => ({
        ...t,
        name: regionDisplayName(String(t.name)),
        regionalReplicaCount: t.regionalReplicaCount ?? pp.replicaCount ?? 1,
        storageAccountType: t.storageAccountType ?? pp.storageAccountType ?? 'Standard_LRS',
        excludeFromLatest: t.excludeFromLatest ?? pp.excludeFromLatest ?? false,
      }));
    }
    // Scenario versions arrive fully replicated; client and builder versions replicate from now.
    if (r.properties?.provisioningState === 'Succeeded' && plansOf(sim, r.id).length === 0) {
      sim.store.meta(r.id).replication = (r.properties.publishingProfile?.targetRegions ?? []).map(
        (t: any) => completedPlan(t.name),
      );
    } else {
      planReplication(sim, r);
    }
  },
  async provision(op: OperationHandle, r, sim) {
    await awaitReplication(sim, r.id, op.signal);
  },
  seed(r) {
    const loc = r.location ?? 'eastus';
    r.properties = r.properties ?? {};
    const pp = (r.properties.publishingProfile ??= {});
    pp.targetRegions = (pp.targetRegions ?? [{ name: loc }]).map((t: any) => ({
      regionalReplicaCount: 1,
      storageAccountType: 'Standard_LRS',
      excludeFromLatest: pp.excludeFromLatest ?? false,
      ...t,
      name: regionDisplayName(t.name),
    }));
    pp.replicaCount ??= 1;
    pp.excludeFromLatest ??= false;
    pp.publishedDate ??= new Date().toISOString();
    r.properties.safetyProfile = {
      allowDeletionOfReplicatedLocations: false,
      reportedForPolicyViolation: false,
      ...(r.properties.safetyProfile ?? {}),
    };
    r.properties.provisioningState = 'Succeeded';
    return r;
  },
  view(r, sim, req) {
    const out = clone(r);
    const expand = req?.query.get('$expand') ?? '';
    // The state dump (no request) shows it, as the expanded GET does.
    if (!req || /(^|,)\s*replicationstatus\s*($|,)/i.test(expand)) {
      out.properties.replicationStatus = replicationStatusOf(sim, r.id);
    }
    return out;
  },
  beforeDelete(_req, r) {
    const sp = r.properties?.safetyProfile;
    const eol = Date.parse(r.properties?.publishingProfile?.endOfLifeDate ?? '');
    if (sp?.blockDeletionBeforeEndOfLife === true && (Number.isNaN(eol) || eol > Date.now())) {
      throw new ArmError(
        409,
        'DeleteGalleryImageVersionBlockedBeforeEndOfLife',
        'Deletion of Gallery image version is not allowed because the image is enabled for ' +
          'blockDeletionBeforeEndOfLife and its endOfLifeDate has not reached yet.',
      );
    }
  },
};

export function galleryTypes(): ResourceTypeDef[] {
  return [galleryDef, imageDef, versionDef];
}
