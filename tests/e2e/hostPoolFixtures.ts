/**
 * UpdateHostPool's worlds, in the scenario shapes issue 12 fixes (state-dump shape resources, user
 * sessions' `endsAfterMinutes` / `endsMinutesAfterMessage`, `sessionHostBehaviour`), and what the
 * e2e tests read back from the simulator's state: the pool's session hosts and VMs, the requests
 * that wrote, the drained hosts' tags as the requests sent them.
 *
 * The image side is one gallery with a Trusted Launch Gen2 definition (versions 1.0.0, which the
 * hosts run, and 1.0.1, the target, both replicated to westeurope; 1.0.2 only to eastus) and a Gen1
 * definition. Each pool lives in its own resource group with its own virtual network, so several
 * pools can share one simulator.
 */
import { runTask, RunOptions, RunResult } from '../../scripts/runner/runner';
import {
  Fault,
  RecordedRequest,
  RunningSim,
  Scenario,
  SIM_IDS,
  startSimulator,
  StateDump,
  StateResource,
  UserSessionEvent,
} from '../sim';

export const SUB = `/subscriptions/${SIM_IDS.subscriptionId}`;
export const REGION = 'westeurope';
export const rgId = (name: string) => `${SUB}/resourceGroups/${name}`;

export const IMAGES_RG = rgId('rg-avd-images');
export const GALLERY = `${IMAGES_RG}/providers/Microsoft.Compute/galleries/gal_avd`;
/** Trusted Launch, Hyper-V Gen2: what the hosts run. */
export const DEFINITION = `${GALLERY}/images/win11-avd`;
/** Hyper-V Gen1 (not Trusted Launch capable). */
export const GEN1_DEFINITION = `${GALLERY}/images/win11-avd-gen1`;
export const version = (v: string, definition = DEFINITION) => `${definition}/versions/${v}`;
/** The image the hosts run. */
export const CURRENT = version('1.0.0');
/** The rollout's target, replicated to westeurope. */
export const TARGET = version('1.0.1');
/** Replicated to eastus only. */
export const NOT_IN_REGION = version('1.0.2');
export const GEN1_VERSION = version('1.0.0', GEN1_DEFINITION);

/** The tag names UpdateHostPool writes (tasks/common/hostpool/tags.ts). */
export const TAGS = {
  lease: 'gip.rollout',
  hostIndex: 'gip.hostIndex',
  token: 'gip.rollout.token',
  target: 'gip.rollout.target',
  run: 'gip.rollout.run',
  drained: 'gip.rollout.drained',
  retired: 'gip.rollout.retired',
  exclusionValue: 'gip.rollout',
} as const;
/** The scaling plan's exclusion tag name in these worlds. */
export const EXCLUSION_TAG = 'avd-autoscale-exclude';

export const DOMAIN = 'contoso.local';
export const OU_PATH = 'OU=AVD,DC=contoso,DC=local';
export const JOIN_USER = 'joiner@contoso.local';

const AVD_AGENT_ZIP =
  'https://wvdportalstorageblob.blob.core.windows.net/galleryartifacts/' +
  'Configuration_1.0.02797.442.zip';

/** The gallery, definitions and versions of these worlds. */
export function imageResources(): Record<string, unknown>[] {
  const definition = (id: string, generation: string, trustedLaunch: boolean) => ({
    id,
    type: 'Microsoft.Compute/galleries/images',
    location: REGION,
    properties: {
      osType: 'Windows',
      osState: 'Generalized',
      hyperVGeneration: generation,
      ...(trustedLaunch ? { features: [{ name: 'SecurityType', value: 'TrustedLaunch' }] } : {}),
      identifier: { publisher: 'contoso', offer: 'win11-avd', sku: `24h2-${generation}` },
    },
  });
  const imageVersion = (id: string, regions: string[]) => ({
    id,
    type: 'Microsoft.Compute/galleries/images/versions',
    location: REGION,
    properties: {
      publishingProfile: { targetRegions: regions.map((name) => ({ name })) },
      storageProfile: {
        source: { id: `${IMAGES_RG}/providers/Microsoft.Compute/images/win11-avd-build` },
      },
    },
  });
  return [
    { id: IMAGES_RG, type: 'Microsoft.Resources/resourceGroups', location: REGION },
    { id: GALLERY, type: 'Microsoft.Compute/galleries', location: REGION, properties: {} },
    definition(DEFINITION, 'V2', true),
    definition(GEN1_DEFINITION, 'V1', false),
    imageVersion(CURRENT, [REGION]),
    imageVersion(TARGET, [REGION, 'northeurope']),
    imageVersion(NOT_IN_REGION, ['eastus']),
    imageVersion(GEN1_VERSION, [REGION]),
  ];
}

/** A signed-in user on host `host` (its index in the pool). */
export interface SessionSpec {
  host: number;
  user: string;
  /** Nominal minutes from the scenario's start after which the user signs out by themselves. */
  endsAfterMinutes?: number;
  /** Nominal minutes after the user's first message after which they sign out. */
  endsMinutesAfterMessage?: number;
  /** Default Active. */
  state?: 'Active' | 'Disconnected';
}

export interface SessionHostBehaviour {
  vmName: string;
  status: 'Available' | 'Unavailable' | 'UpgradeFailed' | 'NeedsAssistance';
  afterMinutes?: number;
}

export interface PoolOptions {
  /** Names the resource group (`rg-<key>`), the pool (`hp-<key>`) and the network. */
  key: string;
  hosts: number;
  join?: 'entra' | 'activeDirectory';
  /** Host VM names are `<prefix><index>`; default `avd-`. */
  prefix?: string;
  /** Host indexes start here (the pool's history); default 0. */
  firstIndex?: number;
  hostPoolType?: 'Pooled' | 'Personal';
  sessions?: SessionSpec[];
  /** A scaling plan with `exclusionTag` over the pool; default true. */
  scalingPlan?: boolean;
  /** Hours the pool's registration token has left; default 48 (none: no token). */
  tokenHours?: number | 'none';
  /** NICs and OS disks VM-managed (`deleteOption: Delete`); default false, as ARM templates. */
  vmManagedParts?: boolean;
  /** The image version the hosts run; default 1.0.0 of the Trusted Launch definition. */
  image?: string;
  /** Trusted Launch hosts (secure boot, vTPM); default true. */
  trustedLaunch?: boolean;
  /** Where the hosts run; default ['1', '2'] spread. */
  zones?: string[];
}

/** Ids of one pool's world. */
export class PoolWorld {
  readonly rg: string;
  readonly pool: string;
  readonly poolName: string;
  readonly vnet: string;
  readonly subnet: string;
  readonly scalingPlan: string;
  readonly prefix: string;
  /** The registration token the pool starts with (tokenHours), if any. */
  readonly token?: string;

  constructor(readonly options: PoolOptions) {
    if (options.tokenHours !== 'none')
      this.token = `scenario-token-${options.key}-${Math.random().toString(36).slice(2)}`;
    this.rg = rgId(`rg-${options.key}`);
    this.poolName = `hp-${options.key}`;
    this.pool = `${this.rg}/providers/Microsoft.DesktopVirtualization/hostPools/${this.poolName}`;
    this.vnet = `${this.rg}/providers/Microsoft.Network/virtualNetworks/vnet-${options.key}`;
    this.subnet = `${this.vnet}/subnets/hosts`;
    const avd = `${this.rg}/providers/Microsoft.DesktopVirtualization`;
    this.scalingPlan = `${avd}/scalingPlans/sp-${options.key}`;
    this.prefix = options.prefix ?? 'avd-';
  }

  get join() {
    return this.options.join ?? 'entra';
  }

  get image() {
    return this.options.image ?? CURRENT;
  }

  get trustedLaunch() {
    return this.options.trustedLaunch ?? true;
  }

  vmName(index: number): string {
    return `${this.prefix}${index}`;
  }

  vm(name: string): string {
    return `${this.rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
  }

  /** The session host's name: the computer name, its FQDN when AD DS-joined. */
  sessionHostName(vmName: string): string {
    return this.join === 'activeDirectory' ? `${vmName}.${DOMAIN}` : vmName;
  }

  sessionHost(vmName: string): string {
    return `${this.pool}/sessionHosts/${this.sessionHostName(vmName)}`;
  }

  /** The original hosts' VM names. */
  get originalVms(): string[] {
    const first = this.options.firstIndex ?? 0;
    return Array.from({ length: this.options.hosts }, (_, i) => this.vmName(first + i));
  }

  /** The pool's resources, in creation order. */
  resources(): Record<string, unknown>[] {
    const o = this.options;
    const out: any[] = [
      { id: this.rg, type: 'Microsoft.Resources/resourceGroups', location: REGION },
      {
        id: this.vnet,
        type: 'Microsoft.Network/virtualNetworks',
        location: REGION,
        properties: {
          addressSpace: { addressPrefixes: ['10.20.0.0/16'] },
          subnets: [{ name: 'hosts', properties: { addressPrefix: '10.20.1.0/24' } }],
        },
      },
      this.hostPool(),
      ...this.originalVms.flatMap((name, i) => this.host(name, i)),
      ...(o.sessions ?? []).map((s, i) => this.userSession(s, i)),
    ];
    if (o.scalingPlan ?? true) out.push(this.scalingPlanResource());
    return out;
  }

  private hostPool(): any {
    const hours = this.options.tokenHours ?? 48;
    const registrationInfo =
      hours === 'none' || !this.token
        ? {}
        : {
            registrationInfo: {
              expirationTime: new Date(Date.now() + hours * 3_600_000).toISOString(),
              token: this.token,
              registrationTokenOperation: 'Update',
            },
          };
    return {
      id: this.pool,
      type: 'Microsoft.DesktopVirtualization/hostPools',
      location: REGION,
      tags: { environment: this.options.key },
      properties: {
        hostPoolType: this.options.hostPoolType ?? 'Pooled',
        loadBalancerType: this.options.hostPoolType === 'Personal' ? 'Persistent' : 'BreadthFirst',
        preferredAppGroupType: 'Desktop',
        maxSessionLimit: 10,
        ...(this.options.hostPoolType === 'Personal'
          ? { personalDesktopAssignmentType: 'Automatic' }
          : {}),
        validationEnvironment: false,
        startVMOnConnect: false,
        vmTemplate: JSON.stringify({
          domain: this.join === 'activeDirectory' ? DOMAIN : '',
          galleryImageOffer: null,
          imageType: 'CustomImage',
          customImageId: this.image,
          namePrefix: this.prefix.replace(/-$/, ''),
          osDiskType: 'Premium_LRS',
          vmSize: { id: 'Standard_D4s_v5', cores: 4, ram: 16 },
          securityType: this.trustedLaunch ? 'TrustedLaunch' : 'Standard',
          secureBoot: this.trustedLaunch,
          vTPM: this.trustedLaunch,
        }),
        ...registrationInfo,
      },
    };
  }

  /** A session host VM on 1.0.0 with its NIC, OS disk, extensions and session host. */
  private host(name: string, i: number): any[] {
    const o = this.options;
    const vm = this.vm(name);
    const nic = `${this.rg}/providers/Microsoft.Network/networkInterfaces/${name}-nic`;
    const disk = `${this.rg}/providers/Microsoft.Compute/disks/${name}-osdisk`;
    const zones = o.zones ?? ['1', '2'];
    const zone = zones.length ? [zones[i % zones.length]] : undefined;
    const deleteOption = o.vmManagedParts ? 'Delete' : 'Detach';
    const entra = this.join === 'entra';
    const resources: any[] = [
      {
        id: nic,
        type: 'Microsoft.Network/networkInterfaces',
        location: REGION,
        properties: {
          ipConfigurations: [
            {
              name: 'ipconfig1',
              properties: {
                privateIPAllocationMethod: 'Dynamic',
                subnet: { id: this.subnet },
                primary: true,
              },
            },
          ],
          virtualMachine: { id: vm },
        },
      },
      {
        id: disk,
        type: 'Microsoft.Compute/disks',
        location: REGION,
        ...(zone ? { zones: zone } : {}),
        managedBy: vm,
        sku: { name: 'Premium_LRS' },
        properties: {
          osType: 'Windows',
          hyperVGeneration: 'V2',
          diskSizeGB: 128,
          creationData: { createOption: 'FromImage', galleryImageReference: { id: this.image } },
          ...(this.trustedLaunch ? { securityProfile: { securityType: 'TrustedLaunch' } } : {}),
          diskState: 'Attached',
        },
      },
      {
        id: vm,
        type: 'Microsoft.Compute/virtualMachines',
        location: REGION,
        ...(zone ? { zones: zone } : {}),
        tags: { workload: 'avd', costCenter: 'cc-1234' },
        ...(entra ? { identity: { type: 'SystemAssigned' } } : {}),
        properties: {
          hardwareProfile: { vmSize: 'Standard_D4s_v5' },
          storageProfile: {
            imageReference: { id: this.image, exactVersion: this.image.split('/').pop() },
            osDisk: {
              osType: 'Windows',
              name: `${name}-osdisk`,
              createOption: 'FromImage',
              caching: 'ReadWrite',
              diskSizeGB: 128,
              managedDisk: { id: disk, storageAccountType: 'Premium_LRS' },
              deleteOption,
            },
            dataDisks: [],
          },
          osProfile: {
            computerName: name,
            adminUsername: 'avdadmin',
            windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: false },
            secrets: [],
          },
          networkProfile: {
            networkInterfaces: [{ id: nic, properties: { primary: true, deleteOption } }],
          },
          ...(this.trustedLaunch
            ? {
                securityProfile: {
                  securityType: 'TrustedLaunch',
                  uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
                },
              }
            : {}),
          diagnosticsProfile: { bootDiagnostics: { enabled: true } },
          licenseType: 'Windows_Client',
        },
      },
      this.extension(vm, 'Microsoft.PowerShell.DSC', {
        publisher: 'Microsoft.Powershell',
        type: 'DSC',
        typeHandlerVersion: '2.83',
        autoUpgradeMinorVersion: true,
        settings: {
          modulesUrl: AVD_AGENT_ZIP,
          configurationFunction: 'Configuration.ps1\\AddSessionHost',
          properties: {
            hostPoolName: this.poolName,
            registrationInfoTokenCredential: {
              UserName: 'PLACEHOLDER_DO_NOT_USE',
              Password: 'PrivateSettingsRef:RegistrationInfoToken',
            },
            aadJoin: entra,
            UseAgentDownloadEndpoint: true,
          },
        },
      }),
      entra
        ? this.extension(vm, 'AADLoginForWindows', {
            publisher: 'Microsoft.Azure.ActiveDirectory',
            type: 'AADLoginForWindows',
            typeHandlerVersion: '2.0',
            autoUpgradeMinorVersion: true,
          })
        : this.extension(vm, 'joindomain', {
            publisher: 'Microsoft.Compute',
            type: 'JsonADDomainExtension',
            typeHandlerVersion: '1.3',
            autoUpgradeMinorVersion: true,
            settings: {
              Name: DOMAIN,
              OUPath: OU_PATH,
              User: JOIN_USER,
              Restart: 'true',
              Options: '3',
            },
          }),
      // Added by policy, not by the pool's template: listed in the plan, not copied.
      this.extension(vm, 'AzureMonitorWindowsAgent', {
        publisher: 'Microsoft.Azure.Monitor',
        type: 'AzureMonitorWindowsAgent',
        typeHandlerVersion: '1.0',
        autoUpgradeMinorVersion: true,
      }),
      {
        id: this.sessionHost(name),
        type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
        properties: {
          resourceId: vm,
          status: 'Available',
          allowNewSession: true,
          updateState: 'Succeeded',
        },
      },
    ];
    return resources;
  }

  private extension(vm: string, name: string, properties: Record<string, unknown>): any {
    return {
      id: `${vm}/extensions/${name}`,
      type: 'Microsoft.Compute/virtualMachines/extensions',
      location: REGION,
      properties,
    };
  }

  private userSession(s: SessionSpec, i: number): any {
    return {
      id: `${this.sessionHost(this.originalVms[s.host])}/userSessions/${i + 1}`,
      type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions',
      properties: {
        userPrincipalName: s.user,
        activeDirectoryUserName: `CONTOSO\\${s.user.split('@')[0]}`,
        sessionState: s.state ?? 'Active',
        applicationType: 'Desktop',
      },
      ...(s.endsAfterMinutes !== undefined ? { endsAfterMinutes: s.endsAfterMinutes } : {}),
      ...(s.endsMinutesAfterMessage !== undefined
        ? { endsMinutesAfterMessage: s.endsMinutesAfterMessage }
        : {}),
    };
  }

  private scalingPlanResource(): any {
    return {
      id: this.scalingPlan,
      type: 'Microsoft.DesktopVirtualization/scalingPlans',
      location: REGION,
      properties: {
        timeZone: 'W. Europe Standard Time',
        hostPoolType: 'Pooled',
        exclusionTag: EXCLUSION_TAG,
        schedules: [],
        hostPoolReferences: [{ hostPoolArmPath: this.pool, scalingPlanEnabled: true }],
      },
    };
  }

  /** The inputs every rollout of this pool shares, fast enough for a test. */
  inputs(extra: Record<string, string> = {}): Record<string, string> {
    return {
      hostPool: this.poolName,
      resourceGroup: `rg-${this.options.key}`,
      image: TARGET,
      pollInterval: '1s',
      healthTimeout: '20s',
      drainTimeout: '6s',
      logOffWarning: '2s',
      ...extra,
    };
  }
}

/** A scenario of the image side plus these pools. */
export function hostPoolScenario(
  pools: PoolWorld[],
  extra: {
    timeScale?: number;
    sessionHostBehaviour?: SessionHostBehaviour[];
    faults?: Fault[];
  } = {},
): Scenario {
  return {
    timeScale: extra.timeScale ?? 0.005,
    resources: [...imageResources(), ...pools.flatMap((p) => p.resources())],
    ...(extra.sessionHostBehaviour ? { sessionHostBehaviour: extra.sessionHostBehaviour } : {}),
    ...(extra.faults ? { faults: extra.faults } : {}),
  };
}

/** Runs `fn` with a simulator of its own for these pools (its request journal is fn's alone). */
export async function withHostPoolSim<T>(
  pools: PoolWorld[],
  fn: (sim: RunningSim) => Promise<T>,
  extra: Parameters<typeof hostPoolScenario>[1] = {},
): Promise<T> {
  const sim = await startSimulator({ scenario: hostPoolScenario(pools, extra) });
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

/** Runs UpdateHostPool against a running simulator. */
export const runUpdateHostPool = (
  sim: RunningSim,
  inputs: Record<string, string>,
  extra: Partial<RunOptions> = {},
): Promise<RunResult> => runTask({ task: 'UpdateHostPool', sim, inputs, ...extra });

// ---- reading the state back ----

const lower = (s: string) => s.toLowerCase();
const pathOf = (r: RecordedRequest) => lower(r.path.split('?')[0]);

/** Resource ids compare ignoring case. */
export const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/** The pool's session hosts with their VMs, as the state shows them. */
export function hostsWithVms(state: StateDump, world: PoolWorld) {
  return sessionHostsOf(state, world.pool).map((h) => ({
    host: h,
    vm: byId(state, String(h.properties?.resourceId ?? '')),
  }));
}

export const byId = (state: StateDump, id: string): StateResource | undefined =>
  state.resources.find((r) => lower(r.id) === lower(id));

export const ofType = (state: StateDump, type: string, under?: string): StateResource[] =>
  state.resources.filter(
    (r) => lower(r.type) === lower(type) && (!under || lower(r.id).startsWith(`${lower(under)}/`)),
  );

export const vmsIn = (state: StateDump, rg: string) =>
  ofType(state, 'Microsoft.Compute/virtualMachines', rg);
export const nicsIn = (state: StateDump, rg: string) =>
  ofType(state, 'Microsoft.Network/networkInterfaces', rg);
export const disksIn = (state: StateDump, rg: string) =>
  ofType(state, 'Microsoft.Compute/disks', rg);
export const sessionHostsOf = (state: StateDump, pool: string) =>
  ofType(state, 'Microsoft.DesktopVirtualization/hostPools/sessionHosts', pool);

/** The image version a VM runs (its imageReference id). */
export const imageOf = (vm: StateResource): string | undefined =>
  vm.properties?.storageProfile?.imageReference?.id;

/**
 * Requests that change something, optionally from index `from` on: not GET/HEAD, and not the POSTs
 * that only read the registration token.
 */
export const writes = (state: StateDump, from = 0): RecordedRequest[] =>
  state.requests
    .slice(from)
    .filter(
      (r) =>
        r.method !== 'GET' &&
        r.method !== 'HEAD' &&
        !/\/(retrieveRegistrationToken|listRegistrationTokens)$/i.test(pathOf(r)),
    );

/** PUTs that created a VM (status 201), in order. */
export const vmCreations = (state: StateDump, from = 0): RecordedRequest[] =>
  state.requests
    .slice(from)
    .filter(
      (r) =>
        r.method === 'PUT' &&
        r.status === 201 &&
        /\/providers\/microsoft\.compute\/virtualmachines\/[^/]+$/.test(pathOf(r)),
    );

/** Tags sent for a resource (PUT/PATCH bodies and Microsoft.Resources/tags writes), in order. */
export function tagsSentFor(state: StateDump, id: string): Record<string, string>[] {
  const target = lower(id);
  return state.requests
    .filter((r) => r.method === 'PUT' || r.method === 'PATCH')
    .flatMap((r) => {
      const p = pathOf(r);
      if (p === target && r.body?.tags) return [r.body.tags as Record<string, string>];
      if (p === `${target}/providers/microsoft.resources/tags/default`)
        return [(r.body?.properties?.tags ?? {}) as Record<string, string>];
      return [];
    });
}

/** Session hosts drained by requests (PATCH with `allowNewSession: false`), by path. */
export const drainRequests = (state: StateDump, from = 0): RecordedRequest[] =>
  state.requests
    .slice(from)
    .filter(
      (r) =>
        r.method === 'PATCH' &&
        /\/sessionhosts\/[^/]+$/.test(pathOf(r)) &&
        r.body?.properties?.allowNewSession === false,
    );

/** Whole JSON text of a value, for "appears nowhere" checks. */
export const text = (v: unknown) => JSON.stringify(v ?? null);

/** A request body with every `protectedSettings` removed. */
export function withoutProtectedSettings(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body ?? null), (k, v: unknown) =>
    k === 'protectedSettings' ? undefined : v,
  );
}

/** One entry of `state().userSessionJournal`, with its time as epoch ms. */
export interface UserSessionEventAt extends UserSessionEvent {
  time: number;
}

/** The simulator's user session journal: messages, sign-outs, sessions ended by themselves. */
export const userSessionEvents = (state: StateDump): UserSessionEventAt[] =>
  state.userSessionJournal.map((e) => ({ ...e, time: Date.parse(e.at) }));

/** The task's log without debug lines, its last `lines` lines: for assertion messages. */
export function logTail(run: RunResult, lines = 60): string {
  const log = run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]'));
  return `${run.result ?? 'no result'}: ${run.message ?? ''}\n${log.slice(-lines).join('\n')}`;
}
