/**
 * UpdateHostPool's parameters, read from the task inputs and checked before anything is done in
 * Azure: every error names the input, says what was wrong and what would be right. Checks that need
 * the pool (batchSize against its host count, a join password for an AD DS-joined reference host,
 * the names' length) are made once it is read (checks.ts).
 */
import { randomInt } from 'crypto';
import { InputError } from '../core/errors';
import { InputReader } from '../core/inputReader';
import {
  parseGalleryId,
  parseResourceId,
  RESOURCE_GROUP_NAME,
  RESOURCE_GROUP_RULE,
} from '../azure/resourceIds';

export const HOSTPOOL_ACTIONS = ['rollout', 'plan', 'abort'] as const;
export type HostPoolAction = (typeof HOSTPOOL_ACTIONS)[number];
export const JOIN_TYPES = ['auto', 'entra', 'activeDirectory'] as const;
export type JoinTypeInput = (typeof JOIN_TYPES)[number];
export const FORCE_LOG_OFF = ['afterDrainTimeout', 'never'] as const;
export type ForceLogOff = (typeof FORCE_LOG_OFF)[number];
export const OLD_HOSTS = ['delete', 'deallocate'] as const;
export type OldHosts = (typeof OLD_HOSTS)[number];
export const OS_DISK_TYPES = [
  'Standard_LRS',
  'StandardSSD_LRS',
  'Premium_LRS',
  'StandardSSD_ZRS',
  'Premium_ZRS',
] as const;

export const DEFAULT_LOG_OFF_MESSAGE =
  'This session host is being replaced by an updated one. Please save your work and sign out; ' +
  'sign in again to continue on an updated host.';

/** The host pool; subscriptionId undefined means the connection's subscription. */
export interface HostPoolRef {
  subscriptionId?: string;
  resourceGroup: string;
  name: string;
}

/** The image input: a version (pinned) or a definition (its latest, resolved once). */
export interface ImageInput {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  gallery: string;
  definition: string;
  /** Undefined for a definition id. */
  version?: string;
}

/** How new hosts join; `auto` is resolved from the reference host when the pool is read. */
export interface JoinInput {
  type: JoinTypeInput;
  /** Entra join: enrol in Intune. Undefined: as the reference host (auto) or false (entra). */
  intuneEnroll?: boolean;
  domain?: string;
  ouPath?: string;
  domainJoinUser?: string;
  /** Marked secret on read. */
  domainJoinPassword?: string;
}

/** What the new hosts are made with when not as the reference host. */
export interface VmOverrides {
  vmSize?: string;
  subnetId?: string;
  /** Zones to spread new hosts over ([] = as the pool's hosts). */
  zones: string[];
  vmResourceGroup?: string;
  namePrefix?: string;
  osDiskType?: string;
  /** Tags added to the new VMs' (over the reference VM's). */
  vmTags: Record<string, string>;
}

export interface UpdateHostPoolParams {
  action: HostPoolAction;
  hostPool: HostPoolRef;
  image: ImageInput;
  overrides: VmOverrides;
  join: JoinInput;
  /** Undefined: the reference VM's admin user name, else `avdadmin`. */
  adminUser?: string;
  /** Given, or random (never printed or stored); marked secret either way. */
  adminPassword: string;
  adminPasswordGenerated: boolean;
  batchSize: number;
  maxUnavailable: number;
  canary: number;
  canaryWaitMs: number;
  healthTimeoutMs: number;
  drainTimeoutMs: number;
  logOffMessage: string;
  logOffWarningMs: number;
  forceLogOff: ForceLogOff;
  oldHosts: OldHosts;
  removeDeviceRecords: boolean;
  pollIntervalMs: number;
  /** What an Automated pool's update gets from this run (automated/settings.ts). */
  sessionHostUpdate: SessionHostUpdateInputs;
}

/**
 * The update settings a run gives for a pool with a session host configuration: only what its
 * inputs set (these inputs have no task.json default), so the rest stays the pool's saved
 * setting. The Standard path reads the same inputs with its own documented defaults.
 */
export interface SessionHostUpdateInputs {
  /** batchSize: hosts replaced at a time (`maxVmsRemoved`). */
  batchSize?: number;
  /** drainTimeout: time users get before they are signed out (`logOffDelayMinutes`). */
  drainTimeoutMs?: number;
  logOffMessage?: string;
  /** oldHosts: delete (`deleteOriginalVm: true`) or deallocate (false). */
  oldHosts?: OldHosts;
  /** Inputs set to something that Azure's update decides on such a pool (warned about once). */
  ignored: string[];
}

/**
 * Inputs that mean nothing to Azure's session host update, with the value that is no choice (their
 * task.json default, or unset); one set otherwise is named in a warning.
 */
const IGNORED_ON_AUTOMATED: Record<string, string | undefined> = {
  canary: '1',
  canaryWait: '0s',
  healthTimeout: '30m',
  maxUnavailable: '0',
  logOffWarning: '5m',
  forceLogOff: 'afterDrainTimeout',
  removeDeviceRecords: 'false',
  joinType: 'auto',
  intuneEnroll: undefined,
  domain: undefined,
  ouPath: undefined,
  domainJoinUser: undefined,
  domainJoinPassword: undefined,
  adminUser: undefined,
  adminPassword: undefined,
  vmSize: undefined,
  subnetId: undefined,
  zones: undefined,
  vmResourceGroup: undefined,
  namePrefix: undefined,
  osDiskType: undefined,
  vmTags: undefined,
};

const MINUTE = 60_000;

/** The resource providers the task's entry requires registered before anything else. */
export const UPDATE_HOST_POOL_PROVIDERS = [
  'Microsoft.DesktopVirtualization',
  'Microsoft.Compute',
  'Microsoft.Network',
];

export function readUpdateHostPoolParams(inputs: InputReader): UpdateHostPoolParams {
  const given = readSessionHostUpdateInputs(inputs);
  const drainTimeoutMs = given.drainTimeoutMs ?? 60 * MINUTE;
  let logOffWarningMs = inputs.duration('logOffWarning', { defaultValue: 5 * MINUTE, min: 0 })!;
  // Left at its default, the warning fits a shorter drain (an Automated pool's drainTimeout is
  // in minutes, and logOffWarning means nothing there): it is sent when the drain starts.
  const warningAtDefault = (inputs.string('logOffWarning') ?? '5m') === '5m';
  if (logOffWarningMs > drainTimeoutMs && warningAtDefault) logOffWarningMs = drainTimeoutMs;
  if (logOffWarningMs > drainTimeoutMs)
    throw new InputError(
      'logOffWarning',
      `it is longer than drainTimeout`,
      'a warning time no longer than drainTimeout (it is sent at drainTimeout − logOffWarning)',
    );
  const password = readAdminPassword(inputs);
  return {
    action: inputs.choice('action', HOSTPOOL_ACTIONS, 'rollout'),
    hostPool: readHostPool(inputs),
    image: readImage(inputs),
    overrides: readOverrides(inputs),
    join: readJoin(inputs),
    adminUser: inputs.string('adminUser', {
      pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,19}$/,
      expected: 'a Windows user name of up to 20 letters, digits, _ . or -',
    }),
    adminPassword: password.value,
    adminPasswordGenerated: password.generated,
    batchSize: given.batchSize ?? 1,
    maxUnavailable: inputs.int('maxUnavailable', { min: 0, max: 1000, defaultValue: 0 })!,
    canary: inputs.int('canary', { min: 1, max: 1000, defaultValue: 1 })!,
    canaryWaitMs: inputs.duration('canaryWait', { bareUnit: 's', defaultValue: 0, min: 0 })!,
    healthTimeoutMs: inputs.duration('healthTimeout', { defaultValue: 30 * MINUTE, min: 1000 })!,
    drainTimeoutMs,
    logOffMessage: given.logOffMessage ?? DEFAULT_LOG_OFF_MESSAGE,
    logOffWarningMs,
    forceLogOff: inputs.choice('forceLogOff', FORCE_LOG_OFF, 'afterDrainTimeout'),
    oldHosts: given.oldHosts ?? 'delete',
    removeDeviceRecords: inputs.bool('removeDeviceRecords', false),
    pollIntervalMs: inputs.duration('pollInterval', {
      bareUnit: 's',
      defaultValue: 30_000,
      min: 1000,
    })!,
    sessionHostUpdate: given,
  };
}

/** The update settings as given (undefined when unset), and the inputs that mean nothing there. */
function readSessionHostUpdateInputs(inputs: InputReader): SessionHostUpdateInputs {
  const oldHosts = inputs.string('oldHosts');
  return {
    batchSize: inputs.int('batchSize', { min: 1, max: 1000 }),
    drainTimeoutMs: inputs.duration('drainTimeout', { min: 0 }),
    logOffMessage: inputs.string('logOffMessage'),
    oldHosts: oldHosts === undefined ? undefined : inputs.choice('oldHosts', OLD_HOSTS),
    ignored: Object.entries(IGNORED_ON_AUTOMATED)
      .filter(([name, noChoice]) => {
        const raw = inputs.string(name);
        return raw !== undefined && raw.toLowerCase() !== noChoice?.toLowerCase();
      })
      .map(([name]) => name),
  };
}

function readHostPool(inputs: InputReader): HostPoolRef {
  const raw = inputs.string('hostPool', {
    required: true,
    expected: 'a host pool name (with resourceGroup) or a host pool resource id',
  });
  if (raw.startsWith('/')) {
    const p = parseResourceId(raw);
    const [level] = p?.levels ?? [];
    if (
      !p ||
      p.levels.length !== 1 ||
      !/^microsoft\.desktopvirtualization$/i.test(p.namespace) ||
      !/^hostpools$/i.test(level[0])
    )
      throw new InputError(
        'hostPool',
        `'${raw}' is not a host pool resource id`,
        '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.DesktopVirtualization' +
          '/hostPools/<name>, or a name with resourceGroup',
      );
    return { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, name: level[1] };
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(raw))
    throw new InputError(
      'hostPool',
      `'${raw}' is not a host pool name`,
      '3 to 64 letters, digits, . _ or -, or a host pool resource id',
    );
  const resourceGroup = inputs.string('resourceGroup', {
    pattern: RESOURCE_GROUP_NAME,
    expected: `the host pool's resource group name, ${RESOURCE_GROUP_RULE}`,
  });
  if (!resourceGroup)
    throw new InputError(
      'resourceGroup',
      `a value is required when hostPool is a name ('${raw}')`,
      "the host pool's resource group, or hostPool as a resource id",
    );
  return { resourceGroup, name: raw };
}

function readImage(inputs: InputReader): ImageInput {
  const raw = inputs.string('image', {
    required: true,
    expected: 'a gallery image version id or image definition id, e.g. $(dist.imageVersionId)',
  });
  const g = parseGalleryId(raw);
  if (!g?.definition)
    throw new InputError(
      'image',
      `'${raw}' is not a gallery image version or definition id`,
      '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/galleries/<gallery>' +
        '/images/<definition>[/versions/<version>]',
    );
  return {
    id: raw.replace(/\/+$/, ''),
    subscriptionId: g.subscriptionId,
    resourceGroup: g.resourceGroup,
    gallery: g.gallery,
    definition: g.definition,
    version: g.version,
  };
}

function readOverrides(inputs: InputReader): VmOverrides {
  const subnetId = inputs.string('subnetId');
  if (subnetId) {
    const p = parseResourceId(subnetId);
    if (
      !p ||
      !/^microsoft\.network$/i.test(p.namespace) ||
      p.levels.map(([t]) => t.toLowerCase()).join('/') !== 'virtualnetworks/subnets'
    )
      throw new InputError(
        'subnetId',
        `'${subnetId}' is not a subnet resource id`,
        '/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks' +
          '/<vnet>/subnets/<subnet>',
      );
  }
  const zones = inputs.list('zones');
  const badZone = zones.find((z) => !/^[1-3]$/.test(z));
  if (badZone)
    throw new InputError('zones', `'${badZone}' is not an availability zone`, 'zones 1, 2 or 3');
  return {
    vmSize: inputs.string('vmSize', {
      pattern: /^[A-Za-z0-9_-]+$/,
      expected: 'a VM size such as Standard_D4s_v5',
    }),
    subnetId,
    zones: [...new Set(zones)],
    vmResourceGroup: inputs.string('vmResourceGroup', {
      pattern: /^[-\w._()]{1,90}$/,
      expected: 'a resource group name',
    }),
    namePrefix: inputs.string('namePrefix', {
      pattern: /^[A-Za-z0-9][A-Za-z0-9-]*$/,
      expected: 'letters, digits and -, starting with a letter or digit (e.g. avd-prod-)',
    }),
    osDiskType:
      inputs.string('osDiskType') === undefined
        ? undefined
        : inputs.choice('osDiskType', OS_DISK_TYPES),
    vmTags: inputs.tags('vmTags'),
  };
}

function readJoin(inputs: InputReader): JoinInput {
  const type = inputs.choice('joinType', JOIN_TYPES, 'auto');
  const intune =
    inputs.string('intuneEnroll') === undefined ? undefined : inputs.bool('intuneEnroll');
  const join: JoinInput = {
    type,
    intuneEnroll: intune,
    domain: inputs.string('domain', {
      pattern: /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/,
      expected: 'a DNS domain name such as corp.contoso.com',
    }),
    ouPath: inputs.string('ouPath'),
    domainJoinUser: inputs.string('domainJoinUser'),
    domainJoinPassword: inputs.secret('domainJoinPassword'),
  };
  if (type === 'activeDirectory') {
    for (const [name, value] of [
      ['domain', join.domain],
      ['domainJoinUser', join.domainJoinUser],
    ] as const)
      if (!value)
        throw new InputError(name, 'a value is required when joinType is activeDirectory');
    if (!join.domainJoinPassword) throw adPasswordMissing();
  }
  return join;
}

/** AD DS join with no password: a password cannot be read back from a host. */
export function adPasswordMissing(why = 'joinType is activeDirectory'): InputError {
  return new InputError(
    'domainJoinPassword',
    `a value is required when ${why}: an AD DS join password cannot be read back from a host`,
    'the join account’s password from a secret variable, e.g. domainJoinPassword: $(joinPassword)',
  );
}

function readAdminPassword(inputs: InputReader): { value: string; generated: boolean } {
  const given = inputs.secret('adminPassword');
  if (given) {
    const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(given)).length;
    if (given.length < 12 || given.length > 123 || classes < 3)
      throw new InputError(
        'adminPassword',
        'it does not meet Azure’s rules for a Windows VM password',
        '12 to 123 characters with 3 of: lower case, upper case, digit, special character',
      );
    return { value: given, generated: false };
  }
  const value = randomPassword();
  inputs.markSecret(value);
  return { value, generated: true };
}

// No `%`: logging commands escape it (setsecret would carry `%AZP25`), and batch files expand it.
const PASSWORD_CLASSES = [
  'abcdefghijkmnopqrstuvwxyz',
  'ABCDEFGHJKLMNPQRSTUVWXYZ',
  '23456789',
  '!@#$*()-_=+[]{}:?',
];

/** 24 characters from a CSPRNG, at least one of each class (Azure wants 3 of 4). */
export function randomPassword(length = 24): string {
  const all = PASSWORD_CLASSES.join('');
  const chars = PASSWORD_CLASSES.map((c) => c[randomInt(c.length)]);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
