// Built-in Azure roles the simulator knows, by their real names and GUIDs (Azure built-in roles
// reference). Domain modules may add more with addBuiltInRole().

export interface RolePermission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface BuiltInRole {
  guid: string;
  roleName: string;
  description: string;
  permissions: RolePermission[];
}

function role(
  guid: string,
  roleName: string,
  description: string,
  actions: string[],
  notActions: string[] = [],
  dataActions: string[] = [],
): BuiltInRole {
  return {
    guid,
    roleName,
    description,
    permissions: [{ actions, notActions, dataActions, notDataActions: [] }],
  };
}

const ROLES: BuiltInRole[] = [
  role(
    '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    'Owner',
    'Grants full access to manage all resources, including the ability to assign roles in ' +
      'Azure RBAC.',
    ['*'],
  ),
  role(
    'b24988ac-6180-42a0-ab88-20f7382dd24c',
    'Contributor',
    'Grants full access to manage all resources, but does not allow you to assign roles in ' +
      'Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.',
    ['*'],
    [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
      'Microsoft.Blueprint/blueprintAssignments/write',
      'Microsoft.Blueprint/blueprintAssignments/delete',
      'Microsoft.Compute/galleries/share/action',
      'Microsoft.Purview/consents/write',
      'Microsoft.Purview/consents/delete',
      'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
      'Microsoft.Subscription/cancel/action',
      'Microsoft.Subscription/enable/action',
    ],
  ),
  role(
    'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    'Reader',
    'View all resources, but does not allow you to make any changes.',
    ['*/read'],
  ),
  role(
    '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    'User Access Administrator',
    'Lets you manage user access to Azure resources.',
    ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'],
  ),
  role(
    'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
    'Role Based Access Control Administrator',
    'Manage access to Azure resources by assigning roles using Azure RBAC. This role does ' +
      'not allow you to manage access using other ways, such as Azure Policy.',
    [
      'Microsoft.Authorization/roleAssignments/write',
      'Microsoft.Authorization/roleAssignments/delete',
      '*/read',
      'Microsoft.Support/*',
    ],
  ),
  role(
    'f1a07417-d97a-45cb-824c-7a7467783830',
    'Managed Identity Operator',
    'Read and Assign User Assigned Identity',
    [
      'Microsoft.ManagedIdentity/userAssignedIdentities/*/read',
      'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action',
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Support/*',
    ],
  ),
  role(
    'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    'Storage Blob Data Owner',
    'Allows for full access to Azure Storage blob containers and data, including assigning ' +
      'POSIX access control.',
    [
      'Microsoft.Storage/storageAccounts/blobServices/containers/*',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    [],
    ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'],
  ),
  role(
    'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    'Storage Blob Data Contributor',
    'Allows for read, write and delete access to Azure Storage blob containers and data',
    [
      'Microsoft.Storage/storageAccounts/blobServices/containers/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/write',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    [],
    [
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action',
    ],
  ),
  role(
    '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
    'Storage Blob Data Reader',
    'Allows for read access to Azure Storage blob containers and data',
    [
      'Microsoft.Storage/storageAccounts/blobServices/containers/read',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    [],
    ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
  ),
  role(
    '17d1049b-9a84-46fb-8f53-869881c3d3ab',
    'Storage Account Contributor',
    'Lets you manage storage accounts, including accessing storage account keys which ' +
      'provide full access to storage account data.',
    [
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Insights/diagnosticSettings/*',
      'Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action',
      'Microsoft.ResourceHealth/availabilityStatuses/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Storage/storageAccounts/*',
      'Microsoft.Support/*',
    ],
  ),
  role(
    '082f0a83-3be5-4ba1-904c-961cca79b387',
    'Desktop Virtualization Contributor',
    'Contributor of Desktop Virtualization.',
    [
      'Microsoft.DesktopVirtualization/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Authorization/*/read',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Support/*',
    ],
  ),
  role(
    '4c6569b6-f23e-4295-9b90-bd4cc4ff3292',
    'DevCenter Owner',
    'Provides access to manage all Microsoft.DevCenter resources, and to manage access to ' +
      'Microsoft.DevCenter resources by adding or removing role assignments for the ' +
      'DevCenter Project Admin and DevCenter Dev Box roles.',
    [
      'Microsoft.DevCenter/*',
      'Microsoft.Authorization/*/read',
      'Microsoft.Authorization/roleAssignments/write',
      'Microsoft.Authorization/roleAssignments/delete',
      'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
    ],
  ),
];

const byGuid = new Map<string, BuiltInRole>(ROLES.map((r) => [r.guid, r]));

export function builtInRoles(): BuiltInRole[] {
  return [...byGuid.values()];
}

export function builtInRole(guid: string): BuiltInRole | undefined {
  return byGuid.get(guid.toLowerCase());
}

/** Adds a built-in role (real name and GUID please) for a domain that needs it. */
export function addBuiltInRole(r: BuiltInRole): void {
  byGuid.set(r.guid.toLowerCase(), r);
}
