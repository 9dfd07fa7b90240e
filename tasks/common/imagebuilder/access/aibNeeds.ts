/**
 * What Image Builder's identity needs, read from the final template (the inputs' or a template
 * file's distribute, source, vmProfile and stagingResourceGroup alike), as Microsoft documents it
 * for the identity (learn.microsoft.com: "Configure Azure VM Image Builder permissions"): image
 * read/write on the distribution targets, read on a custom source image, VNet read + subnet join
 * for a private build, Managed Identity Operator on the build VM's identities, Contributor on a
 * given staging resource group. Each need says how the task grants it to an identity of its own:
 * its custom role (these actions only) at the resource group that holds the resource, or a built-in
 * role where Microsoft asks for one.
 */
import { parseGalleryId, parseResourceId } from '../../azure/resourceIds';
import type { TemplateOutline } from '../template/outline';

export const BUILT_IN = {
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'Managed Identity Operator': 'f1a07417-d97a-45cb-824c-7a7467783830',
  'Storage Blob Data Reader': '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
} as const;

const GALLERY_READ = 'Microsoft.Compute/galleries/read';
const DEFINITION_READ = 'Microsoft.Compute/galleries/images/read';
const VERSION_READ = 'Microsoft.Compute/galleries/images/versions/read';
const VERSION_WRITE = 'Microsoft.Compute/galleries/images/versions/write';
const IMAGE_ACTIONS = [
  'Microsoft.Compute/images/write',
  'Microsoft.Compute/images/read',
  'Microsoft.Compute/images/delete',
];
const VNET_READ = 'Microsoft.Network/virtualNetworks/read';
const SUBNET_JOIN = 'Microsoft.Network/virtualNetworks/subnets/join/action';
export const ASSIGN_IDENTITY = 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action';
/**
 * What Image Builder does in a given staging group (Microsoft asks for Contributor there); checked
 * as a sample.
 */
const STAGING_ACTIONS = [
  'Microsoft.Resources/deployments/write',
  'Microsoft.Compute/virtualMachines/write',
  'Microsoft.Storage/storageAccounts/write',
  'Microsoft.ContainerInstance/containerGroups/write',
];

/**
 * The task's custom role: every action above that a built-in role does not cover, and nothing else.
 */
export const CUSTOM_ROLE_ACTIONS = [
  GALLERY_READ,
  DEFINITION_READ,
  VERSION_READ,
  VERSION_WRITE,
  ...IMAGE_ACTIONS,
  VNET_READ,
  SUBNET_JOIN,
];

/** The need for a given staging group (it applies only once that group exists). */
export const STAGING_GROUP = 'the staging resource group';

export type GrantRole = 'custom' | keyof typeof BUILT_IN;

export interface Need {
  /** What it is for, in words. */
  what: string;
  /**
   * Where the actions are needed (a resource, or the resource group of one that does not exist
   * yet).
   */
  scope: string;
  actions: string[];
  /** The actions are data actions (blob reads). */
  data?: boolean;
  /** How the task's own identity gets it: this role at this scope. */
  grant: { role: GrantRole; scope: string };
}

const groupOf = (id: string): string => id.split('/').slice(0, 5).join('/');

/**
 * The needs of a template, in the order a reader expects: source, targets, network, identities,
 * staging.
 */
export function aibNeeds(outline: TemplateOutline): Need[] {
  const p = outline.properties;
  const needs: Need[] = [];
  const custom = (what: string, scope: string, actions: string[]) =>
    needs.push({ what, scope, actions, grant: { role: 'custom', scope: groupOf(scope) } });
  const gallery = (id: string) => {
    const g = parseGalleryId(id)!;
    return (
      `/subscriptions/${g.subscriptionId}/resourceGroups/${g.resourceGroup}/providers` +
      `/Microsoft.Compute/galleries/${g.gallery}`
    );
  };

  const source = p.source;
  if (
    source.type === 'SharedImageVersion' &&
    typeof source.imageVersionId === 'string' &&
    parseGalleryId(source.imageVersionId)?.version
  ) {
    custom('the source gallery', gallery(source.imageVersionId), [GALLERY_READ]);
    custom('the source image version', source.imageVersionId, [DEFINITION_READ, VERSION_READ]);
  } else if (source.type === 'ManagedImage' && typeof source.imageId === 'string') {
    custom('the source managed image', source.imageId, ['Microsoft.Compute/images/read']);
  }

  for (const d of p.distribute) {
    if (d.type === 'SharedImage' && typeof d.galleryImageId === 'string') {
      const g = parseGalleryId(d.galleryImageId);
      if (!g?.definition) continue;
      const definition = `${gallery(d.galleryImageId)}/images/${g.definition}`;
      custom('the target gallery', gallery(d.galleryImageId), [GALLERY_READ]);
      custom(`distribution to image definition ${g.definition}`, definition, [
        DEFINITION_READ,
        VERSION_READ,
        VERSION_WRITE,
      ]);
    } else if (
      d.type === 'ManagedImage' &&
      typeof d.imageId === 'string' &&
      parseResourceId(d.imageId)
    ) {
      // The image does not exist before the build: its resource group is where rights can be held.
      custom(
        `distribution to managed image ${d.imageId.split('/').pop()}`,
        groupOf(d.imageId),
        IMAGE_ACTIONS,
      );
    }
  }

  const vm = (p.vmProfile ?? {}) as {
    vnetConfig?: { subnetId?: string; containerInstanceSubnetId?: string };
    userAssignedIdentities?: string[];
  };
  for (const subnet of [vm.vnetConfig?.subnetId, vm.vnetConfig?.containerInstanceSubnetId]) {
    if (typeof subnet !== 'string' || !parseResourceId(subnet)) continue;
    custom("the private build's virtual network", subnet.replace(/\/subnets\/[^/]+$/i, ''), [
      VNET_READ,
    ]);
    custom(`the private build's subnet ${subnet.split('/').pop()}`, subnet, [SUBNET_JOIN]);
  }
  for (const id of vm.userAssignedIdentities ?? []) {
    if (typeof id === 'string' && parseResourceId(id))
      needs.push({
        what: `the build VM's identity ${id.split('/').pop()}`,
        scope: id,
        actions: [ASSIGN_IDENTITY],
        grant: { role: 'Managed Identity Operator', scope: id },
      });
  }

  if (typeof p.stagingResourceGroup === 'string' && p.stagingResourceGroup) {
    needs.push({
      what: STAGING_GROUP,
      scope: p.stagingResourceGroup,
      actions: STAGING_ACTIONS,
      grant: { role: 'Contributor', scope: p.stagingResourceGroup },
    });
  }
  return mergeNeeds(needs);
}

/**
 * Image Builder downloads the uploads (the small archive, local files) with its identity: on a
 * given storage account the task's own identity is granted read on the artifacts container there
 * (on the task's own account, uploads/buildArtifacts.ts and localFiles.ts grant it).
 */
export function artifactsNeed(containerScope: string, account: string): Need {
  return {
    what: `the build artifacts on storage account ${account}`,
    scope: containerScope,
    data: true,
    actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
    grant: { role: 'Storage Blob Data Reader', scope: containerScope },
  };
}

/** One need per scope and grant (two targets in one gallery need its read once). */
function mergeNeeds(needs: Need[]): Need[] {
  const out: Need[] = [];
  for (const n of needs) {
    const same = out.find(
      (o) => o.scope.toLowerCase() === n.scope.toLowerCase() && o.grant.role === n.grant.role,
    );
    if (same) same.actions = [...new Set([...same.actions, ...n.actions])];
    else out.push({ ...n, actions: [...n.actions] });
  }
  return out;
}

/** Resource groups where the custom role is assigned, in order of first need. */
export function customRoleScopes(needs: Need[]): string[] {
  const scopes: string[] = [];
  for (const n of needs) {
    if (
      n.grant.role === 'custom' &&
      !scopes.some((s) => s.toLowerCase() === n.grant.scope.toLowerCase())
    )
      scopes.push(n.grant.scope);
  }
  return scopes;
}
