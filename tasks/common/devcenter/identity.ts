/**
 * The dev center's identity, the one Dev Box reads the gallery with: the system-assigned one, else
 * the only user-assigned one, else the `identity` input (chosen among several, or added when the
 * dev center has none). Several and none chosen fails naming them.
 */
import { getOrUndefined } from '../azure/notFound';
import { sameId, shortName } from '../azure/resourceIds';
import { InputError } from '../core/errors';
import { DevBoxRun } from './context';
import { DEVCENTER_API, DevCenter } from './model';

const IDENTITY_API = '2023-01-31';

export interface DevCenterIdentity {
  /** Object id that role assignments name. */
  principalId: string;
  /** For messages: `system-assigned identity` or `user-assigned identity <name>`. */
  label: string;
  /** Set when the identity is to be added to the dev center (it has none). */
  add?: { id: string };
}

export async function chooseIdentity(run: DevBoxRun, dc: DevCenter): Promise<DevCenterIdentity> {
  const given = run.params.identity && identityId(run, run.params.identity);
  const identity = dc.identity;
  const users = Object.entries(identity?.userAssignedIdentities ?? {}).map(([id, v]) => ({
    id,
    principalId: v?.principalId,
  }));
  if (given) {
    const attached = users.find((u) => sameId(u.id, given));
    if (attached?.principalId)
      return {
        principalId: attached.principalId,
        label: `user-assigned identity ${shortName(given)}`,
      };
    if (identity?.principalId || users.length) {
      throw new InputError(
        'identity',
        `dev center ${dc.name} already has ${describe(identity?.principalId, users)}, not ` +
          `'${shortName(given)}'`,
        'one of its identities, or nothing (the task does not change identities a dev center has)',
      );
    }
    const principalId = await principalOf(run, given);
    return { principalId, label: `user-assigned identity ${shortName(given)}`, add: { id: given } };
  }
  if (identity?.principalId)
    return { principalId: identity.principalId, label: 'system-assigned identity' };
  if (users.length === 1 && users[0].principalId)
    return {
      principalId: users[0].principalId,
      label: `user-assigned identity ${shortName(users[0].id)}`,
    };
  if (users.length > 1) {
    throw new InputError(
      'identity',
      `dev center ${dc.name} has several user-assigned identities and none is chosen: ` +
        users.map((u) => shortName(u.id)).join(', '),
      'the one Dev Box should read the gallery with',
    );
  }
  throw new InputError(
    'identity',
    `dev center ${dc.name} has no managed identity, and Dev Box reads the gallery with it`,
    'a user-assigned identity to add to it (name in the dev center resource group, or id), or ' +
      `give the dev center a system-assigned identity: az devcenter admin devcenter update -n ` +
      `${dc.name} -g ${run.params.devCenter.resourceGroup} --identity-type SystemAssigned`,
  );
}

function describe(system: string | undefined, users: { id: string }[]): string {
  return [
    system ? 'a system-assigned identity' : '',
    users.length ? `user-assigned ${users.map((u) => shortName(u.id)).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
}

function identityId(run: DevBoxRun, value: string): string {
  if (value.startsWith('/')) return value;
  return (
    `/subscriptions/${run.devCenterSubscription}/resourceGroups/` +
    `${run.params.devCenter.resourceGroup}/providers/Microsoft.ManagedIdentity/` +
    `userAssignedIdentities/${value}`
  );
}

async function principalOf(run: DevBoxRun, id: string): Promise<string> {
  const found = await getOrUndefined(() =>
    run.arm.get<{ properties?: { principalId?: string } }>(id, IDENTITY_API, run.signal),
  );
  if (!found?.properties?.principalId) {
    throw new InputError(
      'identity',
      `no user-assigned identity ${id}`,
      'an existing user-assigned identity (az identity create)',
    );
  }
  return found.properties.principalId;
}

/** Adds the user-assigned identity to the dev center (it has none) and waits until it is done. */
export async function addIdentity(run: DevBoxRun, id: string): Promise<void> {
  await run.arm.patch(
    run.devCenterId,
    DEVCENTER_API,
    { identity: { type: 'UserAssigned', userAssignedIdentities: { [id]: {} } } },
    run.signal,
  );
}
