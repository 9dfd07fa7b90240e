// Microsoft Dev Box (Microsoft.DevCenter 2024-02-01): dev centers (with their managed identities),
// Compute galleries attached to them, and dev box definitions whose image comes from an attached
// gallery; networks, projects and pools are in devCenterNetworks.ts / devCenterProjects.ts, the
// sku list in devCenterSkus.ts, the image views in devCenterImages.ts. Writes are long-running
// operations with Azure-AsyncOperation (final-state-via azure-async-operation). Attaching needs the
// dev center to have an identity that may write to the gallery (Contributor); a definition's image
// is validated against Dev Box's image requirements (devBoxImageRules.ts) after the definition is
// stored (`imageValidationStatus` Pending -> Succeeded/Failed). The error codes and texts of failed
// attachments and validations are written in the service's style, not seen verbatim.
import { randomUUID } from 'crypto';
import { ArmError } from '../arm/errors';
import type { ArmRequest, CustomRoute, ResourceTypeDef, SimServices } from '../arm/framework';
import { buildResource, clone } from '../arm/helpers';
import { sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';
import { USER_ASSIGNED_IDENTITY_TYPE } from '../entra/directory';
import { type ImageProblem, imageProblem, SOURCE_IMAGE_INVALID } from './devBoxImageRules';
import { devCenterImageRoutes } from './devCenterImages';
import {
  API_VERSIONS,
  ASYNC,
  BOTH,
  badRequest,
  DEV_BOX_DEFINITION_TYPE,
  DEV_CENTER_GALLERY_TYPE,
  DEV_CENTER_TYPE,
  parentIdOf,
  requireValidName,
} from './devCenterNames';
import { networkTypes } from './devCenterNetworks';
import { poolsUsing, projectRoutes, projectTypes, requiredRegions } from './devCenterProjects';
import { requireKnownSku, skusRoute } from './devCenterSkus';
import { GALLERY_IMAGE_VERSION_TYPE, GALLERY_TYPE } from './gallery';

export * from './devCenterNames';

/** Nominal time Dev Box takes to validate a definition's image. */
export const IMAGE_VALIDATION_MS = 300_000;

// ---------------------------------------------------------------- dev centers

const devCenterDef: ResourceTypeDef = {
  type: DEV_CENTER_TYPE,
  apiVersions: API_VERSIONS,
  lro: {
    put: { ...ASYNC, durationMs: 60_000 },
    patch: { ...ASYNC, status: 202, durationMs: 20_000 },
    delete: { ...BOTH, durationMs: 60_000 },
  },
  beforePut(req) {
    requireValidName(req, DEV_CENTER_TYPE);
  },
  seed(r, sim) {
    if (r.identity) r.identity = seedIdentity(sim, r);
    return r;
  },
  onStored(r, sim) {
    r.properties.devCenterUri ??=
      `https://${sim.info.tenantId}-${r.name.toLowerCase()}.` +
      `${r.location ?? 'westeurope'}.devcenter.azure.com/`;
  },
};

/**
 * A scenario dev center's identity as ARM would have resolved it: a system-assigned principal (and
 * the tenant) generated unless given, user-assigned identities' principal and client ids read from
 * the scenario's identity resources (listed before the dev center).
 */
function seedIdentity(sim: SimServices, r: StoredResource): any {
  const given = r.identity;
  const kinds = String(given.type ?? 'None')
    .split(',')
    .map((k) => k.trim().toLowerCase());
  const out: any = { ...given };
  if (kinds.includes('systemassigned')) {
    out.principalId ??= randomUUID();
    out.tenantId ??= sim.info.tenantId;
  }
  if (kinds.includes('userassigned')) {
    out.userAssignedIdentities = {};
    for (const [id, v] of Object.entries<any>(given.userAssignedIdentities ?? {})) {
      const uai = sim.store.get(id);
      if (!uai || !sameId(uai.type, USER_ASSIGNED_IDENTITY_TYPE))
        throw new Error(
          `scenario dev center ${r.id} names user-assigned identity ${id}, which is not a ` +
            `${USER_ASSIGNED_IDENTITY_TYPE} of the scenario (list it before the dev center)`,
        );
      out.userAssignedIdentities[uai.id] = {
        principalId: v?.principalId ?? uai.properties?.principalId,
        clientId: v?.clientId ?? uai.properties?.clientId,
      };
    }
  }
  return out;
}

// ---------------------------------------------------------------- attached galleries

/** The principal ids of a dev center's identities (system-assigned and user-assigned). */
function identityPrincipals(devCenter: StoredResource | undefined): string[] {
  const id = devCenter?.identity;
  if (!id) return [];
  return [
    id.principalId,
    ...Object.values(id.userAssignedIdentities ?? {}).map((u: any) => u?.principalId),
  ].filter((x): x is string => typeof x === 'string');
}

const attachedGalleryDef: ResourceTypeDef = {
  type: DEV_CENTER_GALLERY_TYPE,
  apiVersions: API_VERSIONS,
  patch: false,
  lro: { put: { ...ASYNC }, delete: { ...BOTH, durationMs: 30_000 } },
  beforePut(req, existing) {
    requireValidName(req, DEV_CENTER_GALLERY_TYPE);
    const galleryId = String(req.body?.properties?.galleryResourceId ?? '');
    if (existing && !sameId(existing.properties.galleryResourceId, galleryId)) {
      throw badRequest(
        'InvalidPropertyUpdate',
        `The gallery '${existing.name}' of dev center ` +
          `'${parentIdOf(existing.id).split('/').pop()}' is attached to ` +
          `'${existing.properties.galleryResourceId}'; the property 'galleryResourceId' cannot ` +
          `be changed to '${galleryId}'. Detach it first or use another name.`,
        'properties.galleryResourceId',
      );
    }
    const gallery = req.sim.store.get(galleryId);
    if (!gallery || !sameId(gallery.type, GALLERY_TYPE)) {
      throw badRequest(
        'GalleryNotFound',
        `The Azure Compute Gallery '${galleryId}' was not found. Check the resource ID.`,
        'properties.galleryResourceId',
      );
    }
  },
  // Attaching: the dev center's identity must be able to write to the gallery (Contributor),
  // checked when the operation runs, as Dev Box does.
  async provision(op, r, sim) {
    await op.clock.sleep(60_000, op.signal);
    const devCenter = sim.store.get(parentIdOf(r.id));
    const principals = identityPrincipals(devCenter);
    const galleryId = String(r.properties.galleryResourceId);
    if (principals.length === 0) {
      throw badRequest(
        'DevCenterIdentityNotFound',
        `Dev center '${devCenter?.name}' has no managed identity. Assign a system-assigned ` +
          `or user-assigned identity to the dev center and give it the Contributor role on ` +
          `gallery '${galleryId}'.`,
      );
    }
    if (!principals.some((p) => sim.rbac.isAllowed(p, `${GALLERY_TYPE}/write`, galleryId))) {
      throw new ArmError(
        403,
        'GalleryAuthorizationFailed',
        `The identity of dev center '${devCenter?.name}' does not have permission to ` +
          `access gallery '${galleryId}'. Give it the Contributor role on the gallery.`,
      );
    }
  },
  beforeDelete(req, r) {
    const users = req.sim.store
      .list({ type: DEV_BOX_DEFINITION_TYPE, under: parentIdOf(r.id) })
      .filter(
        (d) =>
          attachedGalleryName(d.properties?.imageReference?.id)?.toLowerCase() ===
          r.name.toLowerCase(),
      );
    if (users.length > 0) {
      throw new ArmError(
        409,
        'GalleryInUse',
        `The gallery '${r.name}' is used by dev box definition(s) ` +
          `${users.map((d) => d.name).join(', ')}. Change or delete them first.`,
      );
    }
  },
};

// ---------------------------------------------------------------- dev box definitions

const IMAGE_REF = new RegExp(
  '^\\/subscriptions\\/[^/]+\\/resourceGroups\\/[^/]+\\/providers\\/Microsoft\\.DevCenter\\' +
    '/devcent' +
    'ers\\/([^/]+)\\/galleries\\/([^/]+)\\/images\\/([^/]+)(?:\\/versions\\/([^/]+))?$',
  'i',
);

function attachedGalleryName(imageId: unknown): string | undefined {
  return typeof imageId === 'string' ? IMAGE_REF.exec(imageId)?.[2] : undefined;
}

interface ResolvedImage {
  definition: StoredResource;
  version: StoredResource;
}

function versionOrder(a: StoredResource, b: StoredResource): number {
  const pa = a.name.split('.').map(Number);
  const pb = b.name.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/**
 * The Compute gallery image and version a dev box definition's image reference names (latest when
 * no version). `imageId` is the spec's string (from a validated body or a stored definition).
 */
function resolveImage(
  sim: SimServices,
  definitionId: string,
  imageId: string | undefined,
): ResolvedImage {
  const target = 'properties.imageReference.id';
  const m = IMAGE_REF.exec(String(imageId ?? ''));
  const devCenterId = parentIdOf(definitionId);
  if (!m || !sameId(String(imageId).split('/galleries/')[0], devCenterId)) {
    throw badRequest(
      'InvalidImageReference',
      `The image reference '${String(imageId)}' is not an image of dev center ` +
        `'${devCenterId.split('/').pop()}': expected ` +
        `${devCenterId}/galleries/{galleryName}/images/{imageName}[/versions/{versionName}].`,
      target,
    );
  }
  const attached = sim.store.get(`${devCenterId}/galleries/${m[2]}`);
  if (!attached)
    throw badRequest(
      'InvalidImageReference',
      `The gallery '${m[2]}' is not attached to dev center '${m[1]}'.`,
      target,
    );
  const definition = sim.store.get(`${attached.properties.galleryResourceId}/images/${m[3]}`);
  if (!definition)
    throw badRequest(
      'InvalidImageReference',
      `The image '${m[3]}' was not found in gallery '${m[2]}'.`,
      target,
    );
  const versions = sim.store.list({ type: GALLERY_IMAGE_VERSION_TYPE, under: definition.id });
  const version = m[4]
    ? versions.find((v) => v.name.toLowerCase() === m[4].toLowerCase())
    : versions
        .filter(
          (v) =>
            v.properties?.publishingProfile?.excludeFromLatest !== true &&
            v.properties?.provisioningState === 'Succeeded',
        )
        .sort(versionOrder)
        .pop();
  if (!version) {
    throw badRequest(
      'InvalidImageReference',
      m[4]
        ? `The version '${m[4]}' of image '${m[3]}' was not found in gallery '${m[2]}'.`
        : `The image '${m[3]}' in gallery '${m[2]}' has no version that can be used as its latest.`,
      target,
    );
  }
  return { definition, version };
}

interface Validation {
  settlesAt: number;
  /** The Compute image definition and version the reference resolved to. */
  image?: { definitionId: string; versionId: string };
  /** Decided when the validation settles (first read after `settlesAt`). */
  problem?: ImageProblem;
  decided: boolean;
}

// Keyed by the stored document (a PUT/PATCH stores a new one).
const validations = new WeakMap<StoredResource, Validation>();

/**
 * Resolves the image reference, sets `exactVersion`, and starts (or, for scenario resources, ends)
 * the validation.
 */
function planValidation(sim: SimServices, r: StoredResource, immediate: boolean): void {
  let validation: Validation;
  try {
    const { definition, version } = resolveImage(sim, r.id, r.properties.imageReference?.id);
    r.properties.imageReference = {
      id: r.properties.imageReference.id,
      exactVersion: version.name,
    };
    sim.store.meta(r.id).imageVersionId = version.id;
    validation = {
      settlesAt: immediate ? 0 : Date.now() + sim.clock.scaled(IMAGE_VALIDATION_MS),
      image: { definitionId: definition.id, versionId: version.id },
      decided: false,
    };
  } catch (e) {
    if (!(e instanceof ArmError)) throw e;
    validation = { settlesAt: 0, problem: { code: e.code, message: e.message }, decided: true };
  }
  validations.set(r, validation);
  // The result is fixed when the nominal time is over, whether or not anyone reads it then.
  if (!validation.decided && validation.settlesAt > 0)
    setTimeout(
      () => validation.decided || decide(sim, r, validation),
      validation.settlesAt - Date.now(),
    ).unref();
}

/**
 * The rules are applied when the validation settles (a scenario definition's: when first read,
 * so that the scenario's pools count), so pools made while it runs count for the regions; pools
 * made later do not change the result (their healthStatus shows a missing region).
 */
function decide(sim: SimServices, r: StoredResource, v: Validation): void {
  v.decided = true;
  const definition = v.image && sim.store.get(v.image.definitionId);
  const version = v.image && sim.store.get(v.image.versionId);
  if (!definition || !version) {
    v.problem = {
      code: SOURCE_IMAGE_INVALID,
      message: `The image '${String(r.properties.imageReference?.id)}' no longer exists.`,
    };
    return;
  }
  v.problem = imageProblem(definition, version, requiredRegions(sim, r), {
    hibernate: r.properties.hibernateSupport === 'Enabled',
  });
}

function validationView(sim: SimServices, r: StoredResource): Record<string, unknown> {
  const v = validations.get(r);
  if (!v) return { imageValidationStatus: 'Unknown' };
  if (Date.now() < v.settlesAt) return { imageValidationStatus: 'Pending' };
  if (!v.decided) decide(sim, r, v);
  return v.problem
    ? { imageValidationStatus: 'Failed', imageValidationErrorDetails: v.problem }
    : { imageValidationStatus: 'Succeeded' };
}

const devBoxDefinitionDef: ResourceTypeDef = {
  type: DEV_BOX_DEFINITION_TYPE,
  apiVersions: API_VERSIONS,
  requiresLocation: true,
  lro: {
    put: { ...ASYNC, durationMs: 30_000 },
    patch: { ...BOTH, durationMs: 30_000 },
    delete: { ...BOTH, durationMs: 30_000 },
  },
  beforePut(req) {
    requireValidName(req, DEV_BOX_DEFINITION_TYPE);
    requireKnownSku(req.sim, req.subscriptionId, req.body?.properties?.sku);
  },
  build(req: ArmRequest, existing) {
    resolveImage(req.sim, req.level!.id, req.body?.properties?.imageReference?.id);
    const doc = buildResource(req, devBoxDefinitionDef, existing);
    doc.properties.hibernateSupport ??= 'Disabled';
    return doc;
  },
  onStored(r, sim) {
    const meta = sim.store.meta(r.id);
    // While an update runs, the image in use until now stays visible as activeImageReference.
    const before = meta.activeImageReference as { id: string; exactVersion?: string } | undefined;
    const changed =
      before !== undefined && !sameId(before.id, String(r.properties.imageReference?.id ?? ''));
    planValidation(sim, r, r.properties.provisioningState === 'Succeeded');
    if (changed && r.properties.provisioningState !== 'Succeeded')
      r.properties.activeImageReference = before;
    else meta.activeImageReference = clone(r.properties.imageReference);
  },
  // A PATCH can name an image that does not resolve or an unknown sku: the operation fails, as
  // the PUT would have.
  async provision(op, r, sim) {
    await op.clock.sleep(30_000, op.signal);
    resolveImage(sim, r.id, r.properties.imageReference?.id);
    requireKnownSku(sim, r.id.split('/')[2], r.properties.sku);
    delete r.properties.activeImageReference;
    sim.store.meta(r.id).activeImageReference = clone(r.properties.imageReference);
  },
  beforeDelete(req, r) {
    const users = poolsUsing(req.sim, r);
    if (users.length > 0)
      throw new ArmError(
        409,
        'DevBoxDefinitionInUse',
        `The dev box definition '${r.name}' is used by pool(s) ` +
          `${users.map((p) => `${parentIdOf(p.id).split('/').pop()}/${p.name}`).join(', ')}. ` +
          `Change or delete them first.`,
      );
  },
  view(r, sim) {
    const out = clone(r);
    Object.assign(out.properties, validationView(sim, r));
    return out;
  },
};

export function devCenterTypes(): ResourceTypeDef[] {
  return [
    devCenterDef,
    attachedGalleryDef,
    devBoxDefinitionDef,
    ...networkTypes(),
    ...projectTypes(),
  ];
}

export function devCenterRoutes(): CustomRoute[] {
  return [skusRoute, ...devCenterImageRoutes(), ...projectRoutes()];
}
