/**
 * What the service connection does for an action, as actions on scopes for the permissions API
 * (azure/callerCheck.ts): create, run, cancel and delete the template, assign Image Builder's
 * identity, set up the artifacts account and container, and set up the task's own identity.
 */
import { CallerNeed } from '../../azure/callerCheck';
import { AzureContext } from '../../azure/clients';
import { getOrUndefined } from '../../azure/notFound';
import { BuildClients } from '../clients';
import { BuildParams } from '../inputs/params';
import { ownAccountName } from '../uploads/artifactsAccount';
import { ASSIGN_IDENTITY } from './aibNeeds';
import { IdentityChoice, OwnIdentityPlan } from './aibIdentity';

/**
 * Whether the action creates the template (and so what it needs); wait and cancel act on one a
 * build made.
 */
export const creates = (action: BuildParams['action']) =>
  action === 'build' || action === 'start' || action === 'validate';

export interface ConnectionNeedsOptions {
  azure: AzureContext;
  clients: BuildClients;
  params: BuildParams;
  choice: IdentityChoice;
  /** Whether the task uploads anything (the archive, local files). */
  uploads: boolean;
  /** The storageAccountName account's id, when it is given and found. */
  givenAccountId?: string;
  signal: AbortSignal;
}

/**
 * What the connection does for this action: the template, assigning the identity, the artifacts
 * account.
 */
export async function connectionNeeds(o: ConnectionNeedsOptions): Promise<CallerNeed[]> {
  const { azure, clients, params, choice, signal } = o;
  const group = `/subscriptions/${azure.subscriptionId}/resourceGroups/${params.resourceGroup}`;
  const template = (verb: string) => ({ scope: group, why: `${verb} the image template` });
  const needs: CallerNeed[] = [];
  if (creates(params.action)) {
    needs.push(
      {
        action: 'Microsoft.VirtualMachineImages/imageTemplates/write',
        ...template('create and run'),
      },
      {
        action: 'Microsoft.VirtualMachineImages/imageTemplates/run/action',
        ...template('create and run'),
      },
      {
        action: ASSIGN_IDENTITY,
        scope: choice.found ? choice.id : group,
        why: "assign Image Builder's identity to the template",
      },
    );
  }
  // A build follows the template to its end and reads what it made: found missing then, the image
  // would be made and the run reported failed.
  if (params.action === 'build' || params.action === 'wait')
    needs.push(
      { action: 'Microsoft.VirtualMachineImages/imageTemplates/read', ...template('follow') },
      {
        action: 'Microsoft.VirtualMachineImages/imageTemplates/runOutputs/read',
        ...template('read the outputs of'),
      },
    );
  if (params.action === 'cancel')
    needs.push({
      action: 'Microsoft.VirtualMachineImages/imageTemplates/cancel/action',
      ...template('cancel'),
    });
  // `start` leaves the template to the job that waits for it.
  if (!params.keepTemplate && params.action !== 'start')
    needs.push({
      action: 'Microsoft.VirtualMachineImages/imageTemplates/delete',
      ...template('delete'),
    });
  const id = o.givenAccountId;
  if (params.customize.uploads.storageAccount) {
    if (id) {
      needs.push(
        {
          action: 'Microsoft.Storage/storageAccounts/blobServices/containers/write',
          scope: id,
          why: 'create the artifacts container',
        },
        {
          action: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
          scope: id,
          data: true,
          why: 'upload the build artifacts',
        },
      );
    }
  } else if (o.uploads && creates(params.action)) {
    const name = ownAccountName(azure.subscriptionId, params.resourceGroup);
    const exists = !!(await getOrUndefined(() =>
      clients.storage.storageAccounts.getProperties(params.resourceGroup, name, {
        abortSignal: signal,
      }),
    ));
    const account = exists ? `${group}/providers/Microsoft.Storage/storageAccounts/${name}` : group;
    if (!exists)
      needs.push({
        action: 'Microsoft.Storage/storageAccounts/write',
        scope: group,
        why: `create the build artifacts account ${name}`,
      });
    needs.push(
      {
        action: 'Microsoft.Authorization/roleAssignments/write',
        scope: account,
        why: "grant Image Builder's identity read on the artifacts container",
      },
      {
        action: 'Microsoft.Storage/storageAccounts/blobServices/containers/write',
        scope: account,
        why: 'create the artifacts container',
      },
      {
        action: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
        scope: account,
        data: true,
        why: 'upload the build artifacts',
      },
    );
  }
  return needs;
}

/** What setting up the task's own identity writes, as actions on scopes. */
export function planNeeds(plan: OwnIdentityPlan): CallerNeed[] {
  const group = plan.role.scope;
  const needs: CallerNeed[] = [];
  if (plan.identity.create)
    needs.push({
      action: 'Microsoft.ManagedIdentity/userAssignedIdentities/write',
      scope: group,
      why: `create Image Builder's identity ${plan.identity.name}`,
    });
  if (plan.role.write) {
    for (const s of plan.role.assignableScopes)
      needs.push({
        action: 'Microsoft.Authorization/roleDefinitions/write',
        scope: s,
        why: `${plan.role.write} the custom role '${plan.role.name}'`,
      });
  }
  for (const g of plan.grants)
    needs.push({
      action: 'Microsoft.Authorization/roleAssignments/write',
      scope: g.scope,
      why: `grant the identity '${g.roleName}' for ${g.what}`,
    });
  return needs;
}
