import type { TaskName } from '../tasks';

const SUBSCRIPTION = '/subscriptions/1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f';
const GALLERY = `${SUBSCRIPTION}/resourceGroups/rg-img/providers/Microsoft.Compute/galleries/gal`;

/**
 * Well-formed inputs of an everyday run of each task, against a simulator with none of the
 * resources they name: each run gets past sign-in into its domain code and ends there (the cold
 * start bench counts only the time to the first request; the bundle test, that the lazily loaded
 * code loads).
 */
export const EVERYDAY_INPUTS: Record<TaskName, Record<string, string>> = {
  BuildImage: {
    location: 'westeurope',
    resourceGroup: 'rg-img',
    managedIdentity: 'aib-identity',
    sourceImage: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2',
    galleryImageDefinitionId: `${GALLERY}/images/ubuntu`,
    scriptSource: 'inline',
    inlineScript: 'echo hello',
  },
  DistributeToGallery: {
    source: `${SUBSCRIPTION}/resourceGroups/rg-img/providers/Microsoft.Compute/images/img-1`,
    galleryResourceGroup: 'rg-img',
    galleryName: 'gal',
    imageDefinition: 'ubuntu',
    versionStrategy: 'explicit',
    version: '1.0.0',
  },
  UpdateHostPool: {
    hostPool: 'hp-pool',
    resourceGroup: 'rg-avd',
    image: `${GALLERY}/images/win11/versions/1.0.0`,
  },
  AttachGalleryToDevCenter: {
    devCenter: 'dc-main',
    resourceGroup: 'rg-devbox',
    gallery: GALLERY,
  },
};
