/**
 * Checks made before anything is written, on the template as it will be sent (its outline: the
 * inputs' or a template file's distribute, vmProfile and staging group alike):
 * - the template's resource group exists; Image Builder's identity is chosen (aibIdentity.ts);
 * - each gallery target's image definition agrees with the source (targetDefinitions.ts);
 * - the service connection may do what the task is about to do (permissions API,
 *   connectionNeeds.ts): create, run and delete the template, assign the identity (Managed
 *   Identity Operator), set up the task's own identity and its artifacts account; every refusal is
 *   one message with its fix, and nothing is written;
 * - a given identity holds what Image Builder needs on the targets (read from its role assignments;
 *   a group it belongs to may grant it too, so a gap warns instead of failing).
 * Then, and only for a build, the task's own identity is created or completed; otherwise what a
 * build would write for it is returned as plan items.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ResourceManagementClient } from '@azure/arm-resources';
import { callerRefusals } from '../../azure/callerCheck';
import { AzureContext } from '../../azure/clients';
import { describeArmError, roleForAction } from '../../azure/armErrors';
import { getOrUndefined } from '../../azure/notFound';
import { connectionPrincipal, describeConnection } from '../../azure/principal';
import { CallerPermissions, RbacReader } from '../../azure/rbacCheck';
import { assignCommand, objectIdAssignee } from '../../azure/roleAssignments';
import { InputError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { PlanItem } from '../../core/plan';
import { ARTIFACTS_CONTAINER, findAccountByName } from '../uploads/artifactsAccount';
import { aibNeeds, artifactsNeed, Need, STAGING_GROUP } from './aibNeeds';
import { connectionNeeds, creates, planNeeds } from './connectionNeeds';
import { checkDefinitions } from './targetDefinitions';
import {
  chooseIdentity,
  ensureOwnIdentity,
  Identity,
  IdentityChoice,
  identityOfFile,
  OwnIdentityPlan,
  ownIdentityItems,
  PENDING_PRINCIPAL,
  planCommands,
  planIsComplete,
  planOwnIdentity,
} from './aibIdentity';
import { BuildClients } from '../clients';
import { BuildParams } from '../inputs/params';
import { ResolvedSource } from '../inputs/sourceResolution';
import type { TemplateOutline } from '../template/outline';
import type { ArmValue } from '../template/templateFile/armExpressions';

/**
 * A pre-flight refusal: one line per problem, each naming the principal, what is missing, where,
 * and the fix.
 */
export class PreflightError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'PreflightError';
  }
}

export interface Preflight {
  /** Image Builder's identity; a pending principal when it is the task's own and not made yet. */
  identity: Identity;
  /**
   * What a build would write for the task's own identity, not written (validate, wait, cancel);
   * empty otherwise.
   */
  plan: PlanItem[];
}

export interface PreflightOptions {
  azure: AzureContext;
  clients: BuildClients;
  params: BuildParams;
  /** The source, resolved: a gallery target's definition must agree with it. */
  source: ResolvedSource;
  /** The template as it will be sent, less its steps and identity: its targets, vnet, staging. */
  outline: TemplateOutline;
  /** A template file's `identity`, used when the managedIdentity input is empty. */
  fileIdentity?: ArmValue;
  /**
   * Whether the task uploads anything (the packagePath archive, local files of a customisers or
   * template file).
   */
  uploads: boolean;
  log: Logger;
  signal: AbortSignal;
}

export async function preflight(o: PreflightOptions): Promise<Preflight> {
  const { azure, clients, params, source, outline, log, signal } = o;
  const rg = params.resourceGroup;
  const resources = new ResourceManagementClient(
    azure.credential,
    azure.subscriptionId,
    azure.clientOptions,
  );
  if (!(await getOrUndefined(() => resources.resourceGroups.get(rg, { abortSignal: signal })))) {
    throw new InputError(
      'resourceGroup',
      `the resource group '${rg}' does not exist in subscription ${azure.subscriptionId}`,
      `an existing resource group (az group create -n ${rg} -l ${params.location})`,
    );
  }
  const choice = await chooseIdentity(
    azure,
    {
      value: params.identity,
      fileIdentity: params.identity ? undefined : identityOfFile(o.fileIdentity),
    },
    rg,
    signal,
  );
  await checkDefinitions(
    clients,
    outline,
    source,
    params.templateFile ? 'templateFile' : 'galleryImageDefinitionId',
    signal,
  );
  const needs = await existingScopes(resources, aibNeeds(outline), signal);

  const auth = new AuthorizationManagementClient(
    azure.credential,
    azure.subscriptionId,
    azure.clientOptions,
  );
  const rbac = new RbacReader(auth, signal);
  const given = params.customize.uploads.storageAccount;
  // Looked up once, for the connection's rights and the task's own identity; not found is refused
  // later, naming the input.
  const givenId =
    o.uploads && given && creates(params.action)
      ? (await findAccountByName(clients, given, signal))?.id
      : undefined;
  const ownNeeds =
    givenId && choice.own
      ? [
          ...needs,
          artifactsNeed(
            `${givenId}/blobServices/default/containers/${ARTIFACTS_CONTAINER}`,
            given!,
          ),
        ]
      : needs;
  const plan = choice.own
    ? await planOwnIdentity({
        azure,
        choice,
        needs: ownNeeds,
        location: params.location,
        rbac,
        signal,
      })
    : undefined;

  const principal = await connectionPrincipal(azure, signal);
  const perms = new CallerPermissions(auth, signal);
  const unreadable = (scope: string, err: unknown) =>
    log.warn(
      `Could not read what ${describeConnection(principal)} may do on ${scope}: ` +
        `${describeArmError(err)}. Checked by Azure when the task gets there.`,
    );
  const problems = await callerRefusals(
    perms,
    principal,
    await connectionNeeds({
      azure,
      clients,
      params,
      choice,
      uploads: o.uploads,
      givenAccountId: givenId,
      signal,
    }),
    unreadable,
  );
  // wait and cancel only name the template a build made: they set nothing up.
  if (plan && !planIsComplete(plan) && creates(params.action)) {
    const refused = await callerRefusals(perms, principal, planNeeds(plan), unreadable);
    if (refused.length) problems.push(ownIdentityRefusal(plan, refused, log));
  }
  // One error per problem: the task's result message carries them, one line each.
  if (problems.length) throw new PreflightError(problems);

  if (!choice.own) {
    log.info(
      `Image Builder runs as identity ${choice.id.split('/').pop()} (principal ` +
        `${choice.found.principalId}), from the ${choice.from} ` +
        `input${choice.from === 'templateFile' ? "'s identity" : ''}.`,
    );
    await warnMissingRights(rbac, choice.found, needs, log);
    return { identity: choice.found, plan: [] };
  }
  return ownIdentity({ azure, plan: plan!, choice, action: params.action, log, signal });
}

interface OwnIdentityOptions {
  azure: AzureContext;
  /** What the task's own identity lacks, read by planOwnIdentity. */
  plan: OwnIdentityPlan;
  choice: Extract<IdentityChoice, { own: true }>;
  /** Only `build` and `start` write what the plan says. */
  action: BuildParams['action'];
  log: Logger;
  signal: AbortSignal;
}

async function ownIdentity(o: OwnIdentityOptions): Promise<Preflight> {
  const { plan, choice, action, log } = o;
  const name = plan.identity.name;
  if (planIsComplete(plan)) {
    log.info(
      `Image Builder runs as the task's own identity ${name} (principal ` +
        `${choice.found!.principalId}), which holds what this build needs.`,
    );
    return { identity: choice.found!, plan: [] };
  }
  // validate creates nothing; wait and cancel only name the template a build made (with the same
  // identity id).
  if (action !== 'build' && action !== 'start') {
    return {
      identity: {
        id: choice.id,
        principalId: choice.found?.principalId ?? PENDING_PRINCIPAL,
        clientId: choice.found?.clientId,
      },
      plan: ownIdentityItems(plan),
    };
  }
  log.group(`Image Builder identity ${name} (the task's own)`);
  const identity = await ensureOwnIdentity(o.azure, plan, log, o.signal);
  log.endGroup();
  return { identity, plan: [] };
}

/**
 * Rights at a staging group that does not exist yet are not needed: Image Builder creates it then.
 */
async function existingScopes(
  resources: ResourceManagementClient,
  needs: Need[],
  signal: AbortSignal,
): Promise<Need[]> {
  const out: Need[] = [];
  for (const n of needs) {
    if (n.what === STAGING_GROUP) {
      const name = n.scope.split('/')[4];
      if (
        !(await getOrUndefined(() => resources.resourceGroups.get(name, { abortSignal: signal })))
      )
        continue;
    }
    out.push(n);
  }
  return out;
}

function ownIdentityRefusal(plan: OwnIdentityPlan, refused: string[], log: Logger): string {
  const commands = planCommands(plan);
  log.group(
    "Commands that set up the task's own Image Builder identity (run them once as a " +
      'principal that may, e.g. an Owner of the resource groups)',
  );
  for (const c of commands) log.info(c);
  log.endGroup();
  return [
    `No managedIdentity is given, and the task can't set up its own Image Builder identity ` +
      `${plan.identity.name}:`,
    ...refused,
    'Or run these once as a principal that may (the pipeline then uses what they made), or ' +
      'give managedIdentity an identity that holds these rights:',
    ...commands,
  ].join('\n');
}

/** Warnings for needs the identity's own role assignments do not cover. */
async function warnMissingRights(
  rbac: RbacReader,
  identity: Identity,
  needs: Need[],
  log: Logger,
): Promise<void> {
  const principal = identity.principalId;
  if (!principal) return;
  for (const n of needs) {
    let missing: string[];
    try {
      const held = await Promise.all(
        n.actions.map((a) => rbac.holds(principal, a, n.scope, n.data)),
      );
      missing = n.actions.filter((_, i) => !held[i]);
    } catch (err) {
      log.warn(
        `Could not read the role assignments of Image Builder's identity on ${n.scope}: ` +
          `${describeArmError(err)}.`,
      );
      continue;
    }
    if (missing.length) log.warn(identityGapMessage(identity, missing, n));
  }
}

/**
 * The warning for a need the identity's role assignments do not cover, with the command that grants
 * it.
 */
export function identityGapMessage(identity: Identity, missing: string[], n: Need): string {
  const roles = [...new Set(missing.map(roleForAction))];
  const role =
    n.grant.role !== 'custom'
      ? n.grant.role
      : roles.includes('Contributor') || roles.length > 1
        ? 'Contributor'
        : roles[0];
  return (
    `Image Builder's identity ${identity.id.split('/').pop()} (principal ` +
    `${identity.principalId}) holds no role assignment that allows ` +
    `${missing.map((a) => `'${a}'`).join(', ')} on ${n.scope} ` +
    (`(${n.what}); the build fails there unless a group it belongs to grants it. Grant it ` +
      `'${role}' (or a custom role with ` +
      `${missing.length === 1 ? 'that action' : 'those actions'}): `) +
    assignCommand(
      objectIdAssignee(identity.principalId ?? '<principal id>'),
      role,
      n.grant.role === 'custom' ? n.scope : n.grant.scope,
    )
  );
}
