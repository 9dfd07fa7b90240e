/**
 * Checks made before anything is written, on the template as it would be sent (the inputs' or a
 * template file's distribute, vmProfile and staging group alike):
 * - the template's resource group exists; Image Builder's identity is chosen (aibIdentity.ts);
 * - each gallery target's image definition agrees with the source (OS type, Hyper-V generation,
 *   security type), which Azure otherwise finds only at the end of the build;
 * - the service connection may do what the task is about to do (permissions API): create, run and
 *   delete the template, assign the identity (Managed Identity Operator), set up the task's own
 * identity
 *   and its artifacts account; every refusal is one message with its fix, and nothing is written;
 * - a given identity holds what Image Builder needs on the targets (read from its role assignments;
 *   a group it belongs to may grant it too, so a gap warns instead of failing).
 * Then, and only for a build, the task's own identity is created or completed; otherwise what a
 * build would write for it is returned as plan items.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ResourceManagementClient } from '@azure/arm-resources';
import { CallerNeed, callerRefusals } from '../../azure/callerCheck';
import { AzureContext } from '../../azure/clients';
import { describeArmError, roleForAction } from '../../azure/armErrors';
import { getOrUndefined } from '../../azure/notFound';
import { connectionPrincipal, describeConnection } from '../../azure/principal';
import { CallerPermissions, RbacReader } from '../../azure/rbacCheck';
import { assignCommand, objectIdAssignee } from '../../azure/roleAssignments';
import { InputError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { PlanItem } from '../../core/plan';
import { definitionTypesAccepting, securityTypeOf } from '../../gallery/compatibility';
import { parseGalleryId } from '../../azure/resourceIds';
import { ARTIFACTS_CONTAINER, findAccountByName, ownAccountName } from '../uploads/buildArtifacts';
import { aibNeeds, artifactsNeed, ASSIGN_IDENTITY, Need, STAGING_GROUP } from './aibNeeds';
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

export type { Identity } from './aibIdentity';

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

/**
 * Whether the action creates the template (and so what it needs); wait and cancel act on one a
 * build made.
 */
const creates = (action: BuildParams['action']) =>
  action === 'build' || action === 'start' || action === 'validate';

interface ConnectionNeedsOptions {
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
async function connectionNeeds(o: ConnectionNeedsOptions): Promise<CallerNeed[]> {
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
function planNeeds(plan: OwnIdentityPlan): CallerNeed[] {
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

/**
 * Each gallery target's definition exists and agrees with the source; `input` names where the
 * target came from.
 */
async function checkDefinitions(
  clients: BuildClients,
  outline: TemplateOutline,
  source: ResolvedSource,
  input: 'templateFile' | 'galleryImageDefinitionId',
  signal: AbortSignal,
): Promise<void> {
  const sourceSecurity = await securityTypeOfSource(clients, source, signal);
  for (const [i, d] of outline.properties.distribute.entries()) {
    if (d.type !== 'SharedImage' || typeof d.galleryImageId !== 'string') continue;
    const at = input === 'templateFile' ? `properties.distribute[${i}].galleryImageId: ` : '';
    const ref = parseGalleryId(d.galleryImageId);
    if (!ref?.definition)
      throw new InputError(
        input,
        `${at}'${d.galleryImageId}' is not the resource id of a gallery image definition ` +
          `or version`,
      );
    const id =
      `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers` +
      `/Microsoft.Compute/galleries/${ref.gallery}/images/${ref.definition}`;
    const definition = await getOrUndefined(() =>
      clients
        .compute(ref.subscriptionId)
        .galleryImages.get(ref.resourceGroup, ref.gallery, ref.definition!, {
          abortSignal: signal,
        }),
    );
    if (!definition) {
      throw new InputError(
        input,
        `${at}the image definition ${id} does not exist (or the service connection can't read it)`,
        'an existing image definition (DistributeToGallery can create one)',
      );
    }
    if (definition.osType && definition.osType !== source.osType) {
      throw new InputError(
        input,
        `${at}the image definition '${ref.definition}' is for ${definition.osType}, but ` +
          `the source ${source.description} is ${source.osType}`,
        'a definition of the same OS type',
      );
    }
    const gen = (x?: string) => (x ?? 'V1').toUpperCase();
    if (
      source.hyperVGeneration &&
      gen(definition.hyperVGeneration) !== gen(source.hyperVGeneration)
    ) {
      throw new InputError(
        input,
        `${at}the image definition '${ref.definition}' is Hyper-V generation ` +
          `${gen(definition.hyperVGeneration)}, but the source ${source.description} is ` +
          `${gen(source.hyperVGeneration)}`,
        `a ${gen(source.hyperVGeneration)} image definition, or a ` +
          `${gen(definition.hyperVGeneration)} source`,
      );
    }
    const targetSecurity = securityTypeOf(definition.features);
    if (sourceSecurity && !definitionTypesAccepting(sourceSecurity).includes(targetSecurity)) {
      throw new InputError(
        input,
        `${at}the image definition '${ref.definition}' has security type ` +
          `${targetSecurity}, but the source ${source.description} is ${sourceSecurity}`,
        `a definition with security type ${definitionTypesAccepting(sourceSecurity).join(', ')}`,
      );
    }
  }
}

/**
 * A gallery source's security type (its definition's); marketplace and managed images do not
 * restrict the target.
 */
async function securityTypeOfSource(
  clients: BuildClients,
  source: ResolvedSource,
  signal: AbortSignal,
) {
  const s = source.templateSource;
  if (s.type !== 'SharedImageVersion' || typeof s.imageVersionId !== 'string') return undefined;
  const ref = parseGalleryId(s.imageVersionId);
  if (!ref?.definition) return undefined;
  const definition = await getOrUndefined(() =>
    clients
      .compute(ref.subscriptionId)
      .galleryImages.get(ref.resourceGroup, ref.gallery, ref.definition!, { abortSignal: signal }),
  );
  return definition ? securityTypeOf(definition.features) : undefined;
}
