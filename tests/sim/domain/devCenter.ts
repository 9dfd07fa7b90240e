// Microsoft Dev Box (Microsoft.DevCenter 2024-02-01): dev centers, Compute galleries attached to
// them, and dev box definitions whose image comes from an attached gallery. Writes are long-running
// operations with Azure-AsyncOperation (final-state-via azure-async-operation). Attaching needs the
// dev center to have an identity that may write to the gallery (Contributor); a definition's image
// is validated against Dev Box's image requirements after the definition is stored
// (`imageValidationStatus` Pending -> Succeeded/Failed). The error codes and texts of failed
// attachments and validations are written in the service's style, not seen verbatim.
import { ArmError } from '../arm/errors';
import type { ArmRequest, ResourceTypeDef, SimServices } from '../arm/framework';
import { buildResource, clone } from '../arm/helpers';
import { sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';
import { GALLERY_IMAGE_VERSION_TYPE, GALLERY_TYPE } from './gallery';

export const DEV_CENTER_TYPE = 'Microsoft.DevCenter/devcenters';
export const DEV_CENTER_GALLERY_TYPE = 'Microsoft.DevCenter/devcenters/galleries';
export const DEV_BOX_DEFINITION_TYPE = 'Microsoft.DevCenter/devcenters/devboxdefinitions';

const API_VERSIONS = ['2024-02-01', '2023-04-01'];
const ASYNC = { header: 'Azure-AsyncOperation' as const, retryAfterSeconds: 15 };
const BOTH = { header: 'both' as const, status: 202 as const, retryAfterSeconds: 15 };
/** Nominal time Dev Box takes to validate a definition's image. */
const IMAGE_VALIDATION_MS = 300_000;

function badRequest(code: string, message: string, target?: string): ArmError {
  return new ArmError(400, code, message, target ? { target } : {});
}

// ---------------------------------------------------------------- dev centers

const devCenterDef: ResourceTypeDef = {
  type: DEV_CENTER_TYPE,
  apiVersions: API_VERSIONS,
  lro: {
    put: { ...ASYNC, durationMs: 60_000 },
    patch: { ...ASYNC, status: 202, durationMs: 20_000 },
    delete: { ...BOTH, durationMs: 60_000 },
  },
  onStored(r, sim) {
    r.properties.devCenterUri ??=
      `https://${sim.info.tenantId}-${r.name.toLowerCase()}.` +
      `${r.location ?? 'westeurope'}.devcenter.azure.com/`;
  },
};

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

function devCenterIdOf(childId: string): string {
  return childId.split('/').slice(0, 9).join('/');
}

const attachedGalleryDef: ResourceTypeDef = {
  type: DEV_CENTER_GALLERY_TYPE,
  apiVersions: API_VERSIONS,
  patch: false,
  lro: { put: { ...ASYNC }, delete: { ...BOTH, durationMs: 30_000 } },
  beforePut(req, existing) {
    const galleryId = String(req.body?.properties?.galleryResourceId ?? '');
    if (existing && !sameId(existing.properties.galleryResourceId, galleryId)) {
      throw badRequest(
        'InvalidPropertyUpdate',
        "The property 'galleryResourceId' cannot be changed after the gallery is attached.",
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
    const devCenter = sim.store.get(devCenterIdOf(r.id));
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
      .list({ type: DEV_BOX_DEFINITION_TYPE, under: devCenterIdOf(r.id) })
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
  const devCenterId = devCenterIdOf(definitionId);
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

const TRUSTED_LAUNCH = /^TrustedLaunch(Supported|AndConfidentialVmSupported)?$/i;

/**
 * Dev Box's image requirements, checked against the gallery image definition: the first unmet one.
 */
function imageProblem(definition: StoredResource): { code: string; message: string } | undefined {
  const p = definition.properties ?? {};
  const security = (p.features ?? []).find((f: any) =>
    /^SecurityType$/i.test(String(f?.name)),
  )?.value;
  const sku = String(p.identifier?.sku ?? '');
  if (!/^windows$/i.test(String(p.osType)))
    return {
      code: 'UnsupportedOperatingSystem',
      message:
        `The image '${definition.name}' is not a Windows image. Dev Box supports Windows 10 ` +
        `and Windows 11 Enterprise images.`,
    };
  if (!/^generalized$/i.test(String(p.osState)))
    return {
      code: 'ImageNotGeneralized',
      message: `The image '${definition.name}' is specialized. Dev Box needs a generalized image.`,
    };
  if (!/^v2$/i.test(String(p.hyperVGeneration ?? 'V1')))
    return {
      code: 'UnsupportedHyperVGeneration',
      message:
        `The image '${definition.name}' is Hyper-V generation ${p.hyperVGeneration ?? 'V1'}. ` +
        `Dev Box needs generation V2.`,
    };
  if (!TRUSTED_LAUNCH.test(String(security ?? '')))
    return {
      code: 'TrustedLaunchNotEnabled',
      message:
        `The image definition '${definition.name}' does not have security type Trusted ` +
        `launch. Dev Box needs Trusted launch images.`,
    };
  if (/(^|[-_.])(avd|evd|multi-?session)([-_.]|$)/i.test(sku))
    return {
      code: 'MultiSessionImageNotSupported',
      message:
        `The image '${definition.name}' (sku '${sku}') is a multi-session image. Dev Box ` +
        `needs a single-session image.`,
    };
  return undefined;
}

interface Validation {
  settlesAt: number;
  problem?: { code: string; message: string };
}

// Keyed by the stored document (a PUT/PATCH stores a new one), so a view needs no simulator at
// hand: the final poll of an operation renders the resource without a request.
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
    validation = {
      settlesAt: immediate ? 0 : Date.now() + sim.clock.scaled(IMAGE_VALIDATION_MS),
      problem: imageProblem(definition),
    };
  } catch (e) {
    if (!(e instanceof ArmError)) throw e;
    validation = { settlesAt: 0, problem: { code: e.code, message: e.message } };
  }
  validations.set(r, validation);
}

function validationView(v: Validation | undefined): Record<string, unknown> {
  if (!v) return { imageValidationStatus: 'Unknown' };
  if (Date.now() < v.settlesAt) return { imageValidationStatus: 'Pending' };
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
  // A PATCH can name an image that does not resolve: the operation fails, as the PUT would have.
  async provision(op, r, sim) {
    await op.clock.sleep(30_000, op.signal);
    resolveImage(sim, r.id, r.properties.imageReference?.id);
    delete r.properties.activeImageReference;
    sim.store.meta(r.id).activeImageReference = clone(r.properties.imageReference);
  },
  view(r) {
    const out = clone(r);
    Object.assign(out.properties, validationView(validations.get(r)));
    return out;
  },
};

export function devCenterTypes(): ResourceTypeDef[] {
  return [devCenterDef, attachedGalleryDef, devBoxDefinitionDef];
}
