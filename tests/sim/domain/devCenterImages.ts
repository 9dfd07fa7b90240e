// The dev center's read-only view of the images of its attached galleries (devcenter.json
// 2024-02-01: Images_ListByDevCenter, Images_ListByGallery, Images_Get, ImageVersions_ListByImage,
// ImageVersions_Get). Dev Box lists only image definitions with the metadata it needs (Windows,
// Generalized, Hyper-V V2, Trusted launch) and silently leaves the others out; a gallery whose
// attachment has not succeeded shows nothing. Dev Box's built-in `Default` gallery is not
// simulated.
import { armErrors } from '../arm/errors';
import type { ArmRequest, CustomRoute, SimServices } from '../arm/framework';
import { paged } from '../arm/helpers';
import type { StoredResource } from '../arm/store';
import { hibernateSupported, listable } from './devBoxImageRules';
import { DEV_CENTER_GALLERY_TYPE, DEV_CENTER_TYPE, storedOfType } from './devCenterNames';
import { GALLERY_IMAGE_TYPE, GALLERY_IMAGE_VERSION_TYPE } from './gallery';

const IMAGE_TYPE = 'Microsoft.DevCenter/devcenters/galleries/images';
const VERSION_TYPE = 'Microsoft.DevCenter/devcenters/galleries/images/versions';
const DC =
  '^(\\/subscriptions\\/[^/]+\\/resourceGroups\\/([^/]+)\\/providers\\/Microsoft\\.DevCenter' +
  '\\/devcenters\\/[^/]+)';

function notFound(rg: string, typeAndName: string) {
  return armErrors.resourceNotFound(typeAndName, rg);
}

function devCenterOf(sim: SimServices, dcId: string, rg: string): StoredResource {
  const dc = storedOfType(sim, dcId, DEV_CENTER_TYPE);
  if (!dc) throw notFound(rg, `Microsoft.DevCenter/devcenters/${dcId.split('/').pop()}`);
  return dc;
}

/** The attached gallery; 404 when it is not attached or its attachment did not succeed. */
function attachedGallery(sim: SimServices, dc: StoredResource, name: string, rg: string) {
  const g = storedOfType(sim, `${dc.id}/galleries/${name}`, DEV_CENTER_GALLERY_TYPE);
  if (!g || g.properties?.provisioningState !== 'Succeeded')
    throw notFound(rg, `Microsoft.DevCenter/devcenters/${dc.name}/galleries/${name}`);
  return g;
}

function listableImages(sim: SimServices, attached: StoredResource): StoredResource[] {
  return sim.store
    .list({ type: GALLERY_IMAGE_TYPE, under: String(attached.properties.galleryResourceId) })
    .filter(listable);
}

function imageView(attached: StoredResource, d: StoredResource): Record<string, unknown> {
  const p = d.properties ?? {};
  const range = (r: any) =>
    r && (r.min !== undefined || r.max !== undefined) ? { min: r.min, max: r.max } : undefined;
  const properties: Record<string, unknown> = {
    publisher: p.identifier?.publisher,
    offer: p.identifier?.offer,
    sku: p.identifier?.sku,
    provisioningState: 'Succeeded',
    hibernateSupport: hibernateSupported(d) ? 'Enabled' : 'Disabled',
  };
  if (p.description !== undefined) properties.description = p.description;
  const memory = range(p.recommended?.memory);
  const vCPUs = range(p.recommended?.vCPUs);
  if (memory || vCPUs) properties.recommendedMachineConfiguration = { memory, vCPUs };
  return { id: `${attached.id}/images/${d.name}`, name: d.name, type: IMAGE_TYPE, properties };
}

function versionView(imageId: string, v: StoredResource): Record<string, unknown> {
  const pp = v.properties?.publishingProfile ?? {};
  return {
    id: `${imageId}/versions/${v.name}`,
    name: v.name,
    type: VERSION_TYPE,
    properties: {
      name: v.name,
      publishedDate: pp.publishedDate,
      excludeFromLatest: pp.excludeFromLatest === true,
      osDiskImageSizeInGb: v.properties?.storageProfile?.osDiskImage?.sizeInGB ?? 127,
      provisioningState: v.properties?.provisioningState ?? 'Succeeded',
    },
  };
}

/** The listable image definition `name` of an attached gallery (404 otherwise). */
function image(sim: SimServices, m: RegExpExecArray): [StoredResource, StoredResource] {
  const [, dcId, rg, galleryName, imageName] = m;
  const dc = devCenterOf(sim, dcId, rg);
  const attached = attachedGallery(sim, dc, galleryName, rg);
  const d = listableImages(sim, attached).find(
    (x) => x.name.toLowerCase() === imageName.toLowerCase(),
  );
  if (!d)
    throw notFound(
      rg,
      `Microsoft.DevCenter/devcenters/${dc.name}/galleries/${galleryName}/images/${imageName}`,
    );
  return [attached, d];
}

function route(
  suffix: string,
  action: string,
  handle: (req: ArmRequest, m: RegExpExecArray) => { status: number; body?: unknown },
): CustomRoute {
  return {
    method: 'GET',
    pattern: new RegExp(`${DC}${suffix}$`, 'i'),
    namespace: 'Microsoft.DevCenter',
    authorize: (_req, m) => ({ action: `Microsoft.DevCenter/devcenters/${action}`, scope: m[1] }),
    handle,
  };
}

export function devCenterImageRoutes(): CustomRoute[] {
  return [
    route('\\/images', 'images/read', (req, m) => {
      const dc = devCenterOf(req.sim, m[1], m[2]);
      const items = req.sim.store
        .list({ type: DEV_CENTER_GALLERY_TYPE, under: dc.id })
        .filter((g) => g.properties?.provisioningState === 'Succeeded')
        .flatMap((g) => listableImages(req.sim, g).map((d) => imageView(g, d)));
      return paged(req, items);
    }),
    route('\\/galleries\\/([^/]+)\\/images', 'galleries/images/read', (req, m) => {
      const attached = attachedGallery(req.sim, devCenterOf(req.sim, m[1], m[2]), m[3], m[2]);
      return paged(
        req,
        listableImages(req.sim, attached).map((d) => imageView(attached, d)),
      );
    }),
    route('\\/galleries\\/([^/]+)\\/images\\/([^/]+)', 'galleries/images/read', (req, m) => {
      const [attached, d] = image(req.sim, m);
      return { status: 200, body: imageView(attached, d) };
    }),
    route(
      '\\/galleries\\/([^/]+)\\/images\\/([^/]+)\\/versions',
      'galleries/images/versions/read',
      (req, m) => {
        const [attached, d] = image(req.sim, m);
        const imageId = `${attached.id}/images/${d.name}`;
        const versions = req.sim.store.list({ type: GALLERY_IMAGE_VERSION_TYPE, under: d.id });
        return paged(
          req,
          versions.map((v) => versionView(imageId, v)),
        );
      },
    ),
    route(
      '\\/galleries\\/([^/]+)\\/images\\/([^/]+)\\/versions\\/([^/]+)',
      'galleries/images/versions/read',
      (req, m) => {
        const [attached, d] = image(req.sim, m);
        const v = req.sim.store.get(`${d.id}/versions/${m[5]}`);
        if (!v)
          throw notFound(
            m[2],
            `Microsoft.DevCenter/devcenters/${m[1].split('/').pop()}/galleries/${m[3]}/images/` +
              `${m[4]}/versions/${m[5]}`,
          );
        return { status: 200, body: versionView(`${attached.id}/images/${d.name}`, v) };
      },
    ),
  ];
}
