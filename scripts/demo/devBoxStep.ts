/**
 * The demo's Dev Box step: AttachGalleryToDevCenter after DistributeToGallery, for real. The demo
 * world gains a dev center (system-assigned identity, in westeurope) and, in the production
 * gallery, a Dev Box image published earlier (Windows 11 Enterprise, Trusted launch, Gen2). The
 * step checks every image of the gallery DistributeToGallery published to: the AVD multi-session
 * image it just published is reported as not for Dev Box (warnings), the Dev Box image qualifies,
 * the gallery is attached with both roles, and a dev box definition is made and validated.
 */
import type { Step } from './step';

const SUB = '/subscriptions/1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f';
const RG = `${SUB}/resourceGroups/rg-golden-images`;
const GALLERY = `${RG}/providers/Microsoft.Compute/galleries/gal_production`;
const DEV_CENTER = `${RG}/providers/Microsoft.DevCenter/devcenters/dc-contoso`;
const DEVBOX_IMAGE = `${GALLERY}/images/win11-devbox`;

const WORLD = [
  {
    id: DEV_CENTER,
    type: 'Microsoft.DevCenter/devcenters',
    location: 'westeurope',
    identity: { type: 'SystemAssigned', principalId: 'dc0dc0dc-0000-4000-8000-00000000c0de' },
    properties: {},
  },
  { id: GALLERY, type: 'Microsoft.Compute/galleries', location: 'westeurope', properties: {} },
  {
    id: DEVBOX_IMAGE,
    type: 'Microsoft.Compute/galleries/images',
    location: 'westeurope',
    properties: {
      osType: 'Windows',
      osState: 'Generalized',
      hyperVGeneration: 'V2',
      features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
      identifier: { publisher: 'contoso', offer: 'windows-11', sku: 'win11-24h2-ent' },
    },
  },
  {
    id: `${DEVBOX_IMAGE}/versions/1.0.0`,
    type: 'Microsoft.Compute/galleries/images/versions',
    location: 'westeurope',
    properties: {
      storageProfile: {
        source: { id: `${RG}/providers/Microsoft.Compute/images/img-devbox` },
      },
      publishingProfile: { targetRegions: [{ name: 'westeurope' }] },
    },
  },
  {
    id: `${RG}/providers/Microsoft.Compute/images/img-devbox`,
    type: 'Microsoft.Compute/images',
    location: 'westeurope',
    properties: {
      hyperVGeneration: 'V2',
      storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized', diskSizeGB: 64 } },
    },
  },
];

const STEP: Step = {
  name: 'devbox',
  title: 'Attach the gallery to Dev Box',
  task: 'AttachGalleryToDevCenter',
  auth: 'sp-cert',
  inputs: (o) => ({
    devCenter: DEV_CENTER,
    gallery: o.distribute.galleryId,
    devBoxDefinition: 'win11-devbox-8c32gb',
    sku: 'general_i_8c32gb256ssd_v2',
    osStorageType: 'ssd_256gb',
    pollInterval: '500ms',
  }),
  verify: (state, out) => {
    const definition = state.resources.find(
      (r) => r.id.toLowerCase() === out.devBoxDefinitionId?.toLowerCase(),
    );
    if (out.imageValidationStatus !== 'Succeeded' || !definition)
      return `no validated dev box definition (${out.imageValidationStatus ?? 'none'})`;
    return undefined;
  },
};

/** The Dev Box step. */
export function devBoxStep(): Step {
  return STEP;
}

/** What the Dev Box step needs in the demo world: a dev center and a Dev Box image. */
export function devBoxResources(): Record<string, unknown>[] {
  return WORLD;
}
