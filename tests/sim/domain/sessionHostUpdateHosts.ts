// One session host replaced by the simulated session host update, in stages so that a Retry picks
// up where a failure left it: drain the host, message its users and sign them out after the
// log-off delay; remove it from the pool and delete (deleteOriginalVm) or deallocate its VM; create
// the VM `<old name>-<UTC yyyyMMddHHmmss>` from the configuration (image, size, disk, subnet,
// security, tags; location and zones of the old VM) with the domain join (or Entra login)
// extension and the AVD agent's DSC extension with the pool's registration token, so the VM
// becomes a session host the way sessionHostAgent.ts registers any; then wait until it is
// Available. All through serviceCall (not in `state().requests`).
import { randomBytes } from 'crypto';
import { ArmError } from '../arm/errors';
import type { SimServices } from '../arm/framework';
import { sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';
import { currentToken, SESSION_HOST_TYPE, USER_SESSION_TYPE } from './desktopVirtualization';
import { VM_TYPE } from './computeImages';
import { liveSessionHostProperties } from './sessionHostAgent';
import { serviceCall } from './sessionHostUpdateCalls';

const COMPUTE_API = '2024-07-01';
const AVD_API = '2024-04-03';
/** Nominal interval of the service's own health checks of a new host. */
const HEALTH_POLL_MS = 15_000;
/** A new host not Available this many nominal minutes after its VM was made fails the batch. */
export const HEALTH_TIMEOUT_MINUTES = 30;
const UNHEALTHY = ['UpgradeFailed', 'NeedsAssistance', 'NotJoinedToDomain'];
const AGENT_CONFIGURATION_URL =
  'https://wvdportalstorageblob.blob.core.windows.net/galleryartifacts/' +
  'Configuration_1.0.02790.438.zip';

export interface UpdateSettings {
  deleteOriginalVm: boolean;
  maxVmsRemoved: number;
  logOffDelayMinutes: number;
  logOffMessage: string;
}

/** One host of an update and how far its replacement got. */
export interface HostTask {
  /** The old session host (its id when the update started). */
  hostId: string;
  hostName: string;
  /** The old VM, when the host had one. */
  vmId?: string;
  /** Where the old VM was (the new one keeps it, as Azure persists location and zones). */
  placement: { location?: string; zones?: string[] };
  stage: 'pending' | 'drained' | 'removed' | 'created' | 'done';
  newVmId?: string;
  newHostId?: string;
}

export interface ReplaceContext {
  sim: SimServices;
  pool: StoredResource;
  configuration: StoredResource;
  settings: UpdateSettings;
  signal: AbortSignal;
  /** Thrown before the new VM is made (the scenario's failing batch), if any. */
  injectedFailure?: (vmName: string) => ArmError | undefined;
}

function groupOf(id: string): string {
  return id.slice(0, id.toLowerCase().indexOf('/providers/'));
}

function utcStamp(d = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** `<old>-<time>`; an earlier update's `-<time>` is replaced, not appended to. */
export function newVmName(task: HostTask): string {
  const old = task.vmId ? task.vmId.split('/').pop()! : task.hostName.split('.')[0];
  return `${old.replace(/-\d{14}$/, '')}-${utcStamp()}`;
}

async function drain(ctx: ReplaceContext, task: HostTask): Promise<void> {
  const { sim, settings } = ctx;
  const host = sim.store.get(task.hostId);
  if (!host) return;
  host.properties.allowNewSession = false;
  const sessions = () => sim.store.list({ type: USER_SESSION_TYPE, under: task.hostId });
  if (sessions().length === 0) return;
  for (const s of sessions())
    await serviceCall(sim, 'POST', `${s.id}/sendMessage`, AVD_API, {
      messageTitle: 'Session host update',
      messageBody: settings.logOffMessage,
    });
  await sim.clock.sleep(settings.logOffDelayMinutes * 60_000, ctx.signal);
  for (const s of sessions()) await serviceCall(sim, 'DELETE', s.id, AVD_API);
}

async function removeOld(ctx: ReplaceContext, task: HostTask): Promise<void> {
  const { sim } = ctx;
  if (sim.store.has(task.hostId))
    await serviceCall(sim, 'DELETE', `${task.hostId}?force=true`, AVD_API);
  if (!task.vmId || !sim.store.has(task.vmId)) return;
  if (ctx.settings.deleteOriginalVm) await serviceCall(sim, 'DELETE', task.vmId, COMPUTE_API);
  else await serviceCall(sim, 'POST', `${task.vmId}/deallocate`, COMPUTE_API);
}

function imageReference(configuration: StoredResource): any {
  const info = configuration.properties?.imageInfo ?? {};
  if (/^custom$/i.test(String(info.type))) return { id: info.customInfo?.resourceId };
  const m = info.marketplaceInfo ?? {};
  return { publisher: m.publisher, offer: m.offer, sku: m.sku, version: m.exactVersion };
}

function secretName(uri: unknown): string {
  const name = typeof uri === 'string' ? uri.replace(/\/+$/, '').split('/').pop() : undefined;
  return name || 'avdadmin';
}

/** The VM as the service creates it from the configuration. */
function vmBody(ctx: ReplaceContext, name: string, old: HostTask['placement']): any {
  const p = ctx.configuration.properties ?? {};
  const security = p.securityInfo?.type;
  const subnetId = p.networkInfo?.subnetId;
  return {
    location: p.vmLocation ?? old.location ?? ctx.pool.location,
    ...(p.vmTags ? { tags: p.vmTags } : {}),
    ...(old.zones ? { zones: old.zones } : {}),
    properties: {
      hardwareProfile: { vmSize: p.vmSizeId },
      storageProfile: {
        imageReference: imageReference(ctx.configuration),
        osDisk: {
          createOption: 'FromImage',
          deleteOption: 'Delete',
          managedDisk: { storageAccountType: p.diskInfo?.type ?? 'Premium_LRS' },
        },
      },
      osProfile: {
        computerName: name,
        adminUsername: secretName(p.vmAdminCredentials?.usernameKeyVaultSecretUri),
        // The service reads it from Key Vault; the simulator makes one (never stored).
        adminPassword: `Kv!${randomBytes(12).toString('base64url')}`,
      },
      networkProfile: {
        networkApiVersion: '2020-11-01',
        networkInterfaceConfigurations: [
          {
            name: 'nic',
            properties: {
              primary: true,
              deleteOption: 'Delete',
              ...(p.networkInfo?.securityGroupId
                ? { networkSecurityGroup: { id: p.networkInfo.securityGroupId } }
                : {}),
              ipConfigurations: [{ name: 'ipconfig1', properties: { subnet: { id: subnetId } } }],
            },
          },
        ],
      },
      ...(security && !/^standard$/i.test(security)
        ? {
            securityProfile: {
              securityType: security,
              uefiSettings: {
                secureBootEnabled: p.securityInfo?.secureBootEnabled ?? true,
                vTpmEnabled: p.securityInfo?.vTpmEnabled ?? true,
              },
            },
          }
        : {}),
      ...(p.bootDiagnosticsInfo
        ? {
            diagnosticsProfile: {
              bootDiagnostics: {
                enabled: p.bootDiagnosticsInfo.enabled ?? false,
                ...(p.bootDiagnosticsInfo.storageUri
                  ? { storageUri: p.bootDiagnosticsInfo.storageUri }
                  : {}),
              },
            },
          }
        : {}),
      licenseType: 'Windows_Client',
    },
  };
}

/** `DC=contoso,DC=com` -> contoso.com, for a configuration without `domainName`. */
function domainOf(ad: any): string {
  if (typeof ad?.domainName === 'string' && ad.domainName !== '') return ad.domainName;
  const dcs = [...String(ad?.ouPath ?? '').matchAll(/DC=([^,]+)/gi)].map((m) => m[1]);
  return dcs.length > 0 ? dcs.join('.') : 'contoso.local';
}

function extensions(ctx: ReplaceContext, location: string, token: string): [string, any][] {
  const d = ctx.configuration.properties?.domainInfo ?? {};
  const ad = /^activedirectory$/i.test(String(d.joinType));
  const ext = (properties: any) => ({ location, properties });
  const join: [string, any] = ad
    ? [
        'JoinDomain',
        ext({
          publisher: 'Microsoft.Compute',
          type: 'JsonADDomainExtension',
          typeHandlerVersion: '1.3',
          autoUpgradeMinorVersion: true,
          settings: {
            Name: domainOf(d.activeDirectoryInfo),
            OUPath: d.activeDirectoryInfo?.ouPath,
            User:
              `${domainOf(d.activeDirectoryInfo)}\\` +
              `${secretName(d.activeDirectoryInfo?.domainCredentials?.usernameKeyVaultSecretUri)}`,
            Restart: 'true',
            Options: '3',
          },
          // The service reads it from Key Vault (passwordKeyVaultSecretUri).
          protectedSettings: { Password: `Kv!${randomBytes(12).toString('base64url')}` },
        }),
      ]
    : [
        'AADLoginForWindows',
        ext({
          publisher: 'Microsoft.Azure.ActiveDirectory',
          type: 'AADLoginForWindows',
          typeHandlerVersion: '2.0',
          autoUpgradeMinorVersion: true,
          ...(d.azureActiveDirectoryInfo?.mdmProviderGuid
            ? { settings: { mdmId: d.azureActiveDirectoryInfo.mdmProviderGuid } }
            : {}),
        }),
      ];
  const dsc: [string, any] = [
    'Microsoft.PowerShell.DSC',
    ext({
      publisher: 'Microsoft.Powershell',
      type: 'DSC',
      typeHandlerVersion: '2.73',
      autoUpgradeMinorVersion: true,
      settings: {
        modulesUrl: AGENT_CONFIGURATION_URL,
        configurationFunction: 'Configuration.ps1\\AddSessionHost',
        properties: {
          hostPoolName: ctx.pool.name,
          registrationInfoTokenCredential: {
            UserName: 'PLACEHOLDER_DO_NOT_USE',
            Password: 'PrivateSettingsRef:RegistrationInfoToken',
          },
          aadJoin: !ad,
        },
      },
      protectedSettings: { Items: { RegistrationInfoToken: token } },
    }),
  ];
  return [join, dsc];
}

/** The pool's registration token, renewed by the service when it has none valid for an hour. */
async function registrationToken(ctx: ReplaceContext): Promise<string> {
  const { sim, pool } = ctx;
  const valid = () => {
    const t = currentToken(sim, pool.id);
    return t && Date.parse(t.expirationTime) > Date.now() + 3600_000 ? t.token : undefined;
  };
  const token = valid();
  if (token) return token;
  await serviceCall(sim, 'PATCH', pool.id, AVD_API, {
    properties: {
      registrationInfo: {
        expirationTime: new Date(Date.now() + 86400_000).toISOString(),
        registrationTokenOperation: 'Update',
      },
    },
  });
  return valid()!;
}

async function create(ctx: ReplaceContext, task: HostTask): Promise<void> {
  const { sim } = ctx;
  const name = newVmName(task);
  const injected = ctx.injectedFailure?.(name);
  if (injected) throw injected;
  const rg = ctx.configuration.properties?.vmResourceGroup;
  const group = rg ? `/subscriptions/${ctx.pool.id.split('/')[2]}/resourceGroups/${rg}` : null;
  const vmId = `${group ?? groupOf(ctx.pool.id)}/providers/${VM_TYPE}/${name}`;
  await serviceCall(sim, 'PUT', vmId, COMPUTE_API, vmBody(ctx, name, task.placement));
  task.newVmId = vmId;
  task.stage = 'created';
}

async function register(ctx: ReplaceContext, task: HostTask): Promise<void> {
  const { sim } = ctx;
  const vm = sim.store.get(task.newVmId!)!;
  const token = await registrationToken(ctx);
  for (const [name, body] of extensions(ctx, vm.location ?? '', token))
    await serviceCall(sim, 'PUT', `${vm.id}/extensions/${name}`, COMPUTE_API, body);
  const host = sim.store
    .list({ type: SESSION_HOST_TYPE, under: ctx.pool.id })
    .find((h) => sameId(String(h.properties?.resourceId ?? ''), vm.id));
  if (!host) throw new ArmError(500, 'InternalServerError', `VM ${vm.name} did not register.`);
  task.newHostId = host.id;
  const deadline = Date.now() + sim.clock.scaled(HEALTH_TIMEOUT_MINUTES * 60_000);
  for (;;) {
    const current = sim.store.get(host.id);
    const status = current ? String(liveSessionHostProperties(sim, current).status) : 'Removed';
    if (status === 'Available') return;
    if (UNHEALTHY.includes(status) || Date.now() > deadline) {
      const failed = current
        ? (liveSessionHostProperties(sim, current).sessionHostHealthCheckResults ?? []).find(
            (r: any) => r.healthCheckResult === 'HealthCheckFailed',
          )
        : undefined;
      throw new ArmError(
        400,
        'SessionHostUnhealthy',
        `Session host '${host.name}' is ${status} after its update` +
          (failed
            ? `: ${failed.healthCheckName} failed (${failed.additionalFailureDetails?.message})`
            : ` (not Available within ${HEALTH_TIMEOUT_MINUTES} minutes)`) +
          '.',
        { target: host.name },
      );
    }
    await sim.clock.sleep(HEALTH_POLL_MS, ctx.signal);
  }
}

/** A retry's first step: the new VM that failed (and its host, if it registered) go. */
async function discardNew(ctx: ReplaceContext, task: HostTask): Promise<void> {
  const { sim } = ctx;
  if (task.newHostId && sim.store.has(task.newHostId))
    await serviceCall(sim, 'DELETE', `${task.newHostId}?force=true`, AVD_API);
  if (task.newVmId && sim.store.has(task.newVmId))
    await serviceCall(sim, 'DELETE', task.newVmId, COMPUTE_API);
  delete task.newHostId;
  delete task.newVmId;
  task.stage = 'removed';
}

/**
 * Replaces one host from the stage it reached; on a retry of a host whose new VM failed, that VM
 * is deleted and a fresh one made.
 */
export async function replaceHost(ctx: ReplaceContext, task: HostTask): Promise<void> {
  if (task.stage === 'created') await discardNew(ctx, task);
  if (task.stage === 'pending') {
    await drain(ctx, task);
    task.stage = 'drained';
  }
  if (task.stage === 'drained') {
    await removeOld(ctx, task);
    task.stage = 'removed';
  }
  if (task.stage === 'removed') await create(ctx, task);
  if (task.stage === 'created') {
    await register(ctx, task);
    task.stage = 'done';
  }
}
