/**
 * The two role assignments Dev Box needs on the gallery and the portal makes but the CLI and API
 * do not: Contributor for the dev center's identity, Reader for the Windows 365 service principal.
 * Read first (an assignment at the gallery or above it counts); what is missing is made with a
 * deterministic name, after the connection is found to be allowed to.
 */
import { RestError } from '@azure/core-rest-pipeline';
import { callerRefusals } from '../azure/callerCheck';
import { describeArmError } from '../azure/armErrors';
import { GraphClient } from '../azure/graph';
import { connectionPrincipal, describeConnection } from '../azure/principal';
import { CallerPermissions } from '../azure/rbacCheck';
import {
  assignCommand,
  assignmentsOf,
  ensureRoleAssignment,
  objectIdAssignee,
} from '../azure/roleAssignments';
import { errorMessage, InputError } from '../core/errors';
import { DevBoxRun } from './context';

export const WINDOWS_365_APP_ID = '0af06dc6-e4b5-4f28-818e-e78e62d137a5';
const FIND_WINDOWS_365 = `az ad sp show --id ${WINDOWS_365_APP_ID} --query id -o tsv`;

export const ROLES = {
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
} as const;
export type RoleName = keyof typeof ROLES;

export interface RoleNeed {
  /** For messages: `the dev center's system-assigned identity`, `Windows 365`. */
  who: string;
  principalId: string;
  role: RoleName;
  /** Where an assignment that grants it already is (the gallery or above); undefined: missing. */
  heldAt?: string;
}

/**
 * The Windows 365 service principal's object id: the input, else Microsoft Graph. Undefined (with
 * a warning) only when `optional` (action: check) and Graph would not say.
 */
export async function windows365Principal(
  run: DevBoxRun,
  optional: boolean,
): Promise<string | undefined> {
  if (run.params.windows365PrincipalId) return run.params.windows365PrincipalId;
  let problem: string;
  try {
    const sp = await new GraphClient(run.azure).servicePrincipalByAppId(
      WINDOWS_365_APP_ID,
      run.signal,
    );
    if (sp) return sp.id;
    problem =
      `the tenant has no service principal of Windows 365 (app id ${WINDOWS_365_APP_ID}); ` +
      'it appears once Windows 365 or Dev Box is set up in the tenant';
  } catch (err) {
    if (run.signal.aborted) throw err;
    const status = (err as RestError).statusCode;
    if (status !== 403 && status !== 401 && !(err instanceof Error && /Graph/.test(err.message)))
      throw err;
    problem =
      'not given, and the task could not look the Windows 365 service principal up in ' +
      // GraphClient's message names the Graph permission to grant.
      `Microsoft Graph (${errorMessage(err)})`;
  }
  const error = new InputError(
    'windows365PrincipalId',
    problem,
    `the object id of the Windows 365 service principal in your tenant: ${FIND_WINDOWS_365}`,
  );
  if (!optional) throw error;
  run.warn(`${error.message} Its Reader role on the gallery is not checked.`);
  return undefined;
}

/** Each principal's role on the gallery, read from its assignments at the gallery or above. */
export async function readRoleNeeds(
  run: DevBoxRun,
  wanted: Omit<RoleNeed, 'heldAt'>[],
): Promise<RoleNeed[]> {
  const out: RoleNeed[] = [];
  for (const w of wanted) {
    const held = (await assignmentsOf(run.auth, w.principalId, run.galleryId, run.signal)).find(
      (a) => a.roleDefinitionId?.toLowerCase().endsWith(ROLES[w.role]),
    );
    out.push({ ...w, heldAt: held ? (held.scope ?? run.galleryId) : undefined });
  }
  return out;
}

/** The `az` line that grants the need. */
export function grantCommand(run: DevBoxRun, need: RoleNeed): string {
  return assignCommand(objectIdAssignee(need.principalId), need.role, run.galleryId);
}

/**
 * Refusals (one line each) when the connection may not create the missing assignments: names the
 * principal, role, scope and the command an administrator runs instead.
 */
export async function roleRefusals(run: DevBoxRun, missing: RoleNeed[]): Promise<string[]> {
  if (missing.length === 0) return [];
  const principal = await connectionPrincipal(run.azure, run.signal);
  const refused = await callerRefusals(
    new CallerPermissions(run.auth, run.signal),
    principal,
    [
      {
        action: 'Microsoft.Authorization/roleAssignments/write',
        scope: run.galleryId,
        why: 'grant Dev Box its roles on the gallery',
      },
    ],
    (scope, err) =>
      run.log.warn(
        `Could not read what ${describeConnection(principal)} may do on ${scope}: ` +
          `${describeArmError(err)}. Azure checks it when the task gets there.`,
      ),
  );
  if (refused.length === 0) return [];
  return [
    `${describeConnection(principal)} may not create role assignments on the gallery ` +
      `${run.galleryId}, and Dev Box needs these (nothing was changed):`,
    ...missing.map(
      (n) =>
        `${n.who} (principal ${n.principalId}) needs role '${n.role}' on scope ` +
        `${run.galleryId}: ${grantCommand(run, n)}`,
    ),
    `Run ${missing.length === 1 ? 'that command' : 'those commands'} once as an Owner or User ` +
      'Access Administrator of the gallery, or let the connection do it:',
    ...refused,
  ];
}

/** Makes the missing assignments; true when one was made (Dev Box may not see it at once). */
export async function grantRoles(run: DevBoxRun, missing: RoleNeed[]): Promise<boolean> {
  let made = false;
  for (const n of missing) {
    const r = await ensureRoleAssignment({
      auth: run.auth,
      scope: run.galleryId,
      principalId: n.principalId,
      roleDefinitionId:
        `/subscriptions/${run.params.gallery.subscriptionId}/providers/` +
        `Microsoft.Authorization/roleDefinitions/${ROLES[n.role]}`,
      description: `Dev Box: ${n.who} on the gallery (AttachGalleryToDevCenter)`,
      signal: run.signal,
      log: run.log,
      clock: run.clock,
    });
    run.log.info(
      `${r.created ? 'Granted' : 'Found'} '${n.role}' to ${n.who} (principal ${n.principalId}) ` +
        `on the gallery (role assignment ${r.name}).`,
    );
    made ||= r.created;
  }
  return made;
}
