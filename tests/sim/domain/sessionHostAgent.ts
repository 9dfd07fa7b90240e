// The AVD agent and domain join on a simulated VM. When a VM's DSC extension (publisher
// Microsoft.Powershell, type DSC, `settings.properties.hostPoolName`) finishes with a valid,
// unexpired registration token of a host pool in `protectedSettings.Items.RegistrationInfoToken`,
// the VM becomes that pool's session host: named by its computer name (`computer.domain` when the
// VM has a JsonADDomainExtension with `settings.Name`), `Unavailable` at first, then after a
// nominal time what the scenario's `sessionHostBehaviour` says (default: Available after 4
// minutes). A bad or expired token fails the extension and makes no host; an AD join without
// `protectedSettings.Password` fails the join extension and the host stays NotJoinedToDomain. An
// Entra-joined host is also a device in Microsoft Graph. Status is computed on read from these
// facts and the VM's power state, so GET, list and the state dump agree.
import { randomUUID } from 'crypto';
import { ArmError } from '../arm/errors';
import type { SimServices } from '../arm/framework';
import { sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';
import type { SessionHostBehaviourSpec as SessionHostBehaviour } from '../types';
import { HOST_POOL_TYPE, SESSION_HOST_TYPE, currentToken } from './desktopVirtualization';
import {
  computerNameOf,
  powerStateOf,
  protectedSettingsOf,
  VM_EXTENSION_TYPE,
} from './virtualMachines';

export const DEFAULT_AVAILABLE_AFTER_MINUTES = 4;
const AGENT_VERSION = '1.0.10292.1200';
const OS_VERSION = '10.0.22631.4460';
const SXS_VERSION = 'rdp-sxs241114400';
const STATUSES = ['Available', 'Unavailable', 'UpgradeFailed', 'NeedsAssistance'];

/** Checks the scenario key at start (a malformed key fails the simulator's start). */
export function checkBehaviours(value: unknown): SessionHostBehaviour[] {
  if (value === undefined) return [];
  const ok =
    Array.isArray(value) &&
    value.every(
      (b: any) =>
        b &&
        typeof b.vmName === 'string' &&
        STATUSES.includes(b.status) &&
        (b.afterMinutes === undefined ||
          (typeof b.afterMinutes === 'number' && b.afterMinutes >= 0)),
    );
  if (!ok)
    throw new Error(
      'scenario.sessionHostBehaviour must be an array of { vmName: "<regex>", status: ' +
        `${STATUSES.map((s) => `"${s}"`).join(' | ')}, afterMinutes?: number >= 0 }`,
    );
  for (const b of value) new RegExp(b.vmName, 'i');
  return value;
}

function behaviourFor(sim: SimServices, vmName: string): Required<SessionHostBehaviour> {
  const b = checkBehaviours(sim.scenario.sessionHostBehaviour).find((x) =>
    new RegExp(x.vmName, 'i').test(vmName),
  );
  return {
    vmName,
    status: b?.status ?? 'Available',
    afterMinutes: b?.afterMinutes ?? DEFAULT_AVAILABLE_AFTER_MINUTES,
  };
}

/** What the agent knows about a session host it registered (store meta of the host). */
interface AgentRecord {
  registeredAt: number;
  vmId: string;
  behaviour: Required<SessionHostBehaviour>;
}

function extensionKind(e: StoredResource): 'dsc' | 'adJoin' | 'entraLogin' | undefined {
  const publisher = String(e.properties?.publisher ?? '').toLowerCase();
  const type = String(e.properties?.type ?? '').toLowerCase();
  if (publisher === 'microsoft.powershell' && type === 'dsc') return 'dsc';
  if (publisher === 'microsoft.compute' && type === 'jsonaddomainextension') return 'adJoin';
  if (publisher === 'microsoft.azure.activedirectory' && type === 'aadloginforwindows')
    return 'entraLogin';
  return undefined;
}

function vmIdOf(extensionId: string): string {
  return extensionId.slice(0, extensionId.toLowerCase().lastIndexOf('/extensions/'));
}

function extensionFailure(e: StoredResource, message: string): ArmError {
  return new ArmError(
    400,
    'VMExtensionProvisioningError',
    `VM has reported a failure when processing extension '${e.name}' (publisher ` +
      `'${e.properties?.publisher}' and type '${e.properties?.type}'). Error message: ` +
      `'${message}'.`,
  );
}

/** After an extension's installation time: the join extension joins, the DSC one registers. */
export function extensionProvisioned(sim: SimServices, e: StoredResource): void {
  const kind = extensionKind(e);
  const vm = sim.store.get(vmIdOf(e.id));
  if (!vm) return;
  if (kind === 'adJoin') {
    const domain = String(e.properties?.settings?.Name ?? '');
    const password = protectedSettingsOf(sim, e.id)?.Password;
    const joined = typeof password === 'string' && password !== '';
    sim.store.meta(vm.id).domainJoin = { domain, joined };
    if (!joined)
      throw extensionFailure(
        e,
        `Exception(s) occured while joining Domain '${domain}': the password of the join ` +
          'account is missing (protectedSettings.Password)',
      );
  } else if (kind === 'dsc' && e.properties?.settings?.properties?.hostPoolName !== undefined) {
    register(sim, vm, e);
  }
}

/** The host pool whose current, unexpired registration token this is. */
function poolOfToken(sim: SimServices, token: unknown): StoredResource | undefined {
  if (typeof token !== 'string' || token === '') return undefined;
  return sim.store.list({ type: HOST_POOL_TYPE }).find((pool) => {
    const t = currentToken(sim, pool.id);
    return t !== undefined && t.token === token && Date.parse(t.expirationTime) > Date.now();
  });
}

function adJoinOf(sim: SimServices, vm: StoredResource): StoredResource | undefined {
  return sim.store
    .list({ type: VM_EXTENSION_TYPE, under: vm.id })
    .find((x) => extensionKind(x) === 'adJoin' && x.properties?.settings?.Name);
}

function register(sim: SimServices, vm: StoredResource, dsc: StoredResource): void {
  const token = protectedSettingsOf(sim, dsc.id)?.Items?.RegistrationInfoToken;
  const pool = poolOfToken(sim, token);
  if (!pool)
    throw extensionFailure(
      dsc,
      "DSC Configuration 'AddSessionHost' completed with error(s): the registration token " +
        'is invalid or expired (InvalidRegistrationToken)',
    );
  const computer = computerNameOf(vm);
  const adJoin = adJoinOf(sim, vm);
  const name = adJoin ? `${computer}.${String(adJoin.properties.settings.Name)}` : computer;
  const id = `${pool.id}/sessionHosts/${name}`;
  const existing = sim.store.get(id);
  const now = new Date().toISOString();
  const host = sim.store.put({
    id,
    name,
    type: SESSION_HOST_TYPE,
    properties: {
      objectId: existing?.properties?.objectId ?? randomUUID(),
      resourceId: vm.id,
      virtualMachineId: vm.properties?.vmId,
      allowNewSession: existing?.properties?.allowNewSession ?? true,
      agentVersion: AGENT_VERSION,
      osVersion: OS_VERSION,
      sxSStackVersion: SXS_VERSION,
      lastUpdateTime: now,
      updateState: 'Succeeded',
    },
  });
  const record: AgentRecord = {
    registeredAt: Date.now(),
    vmId: vm.id,
    behaviour: behaviourFor(sim, vm.name),
  };
  const meta = sim.store.meta(host.id);
  meta.agent = record;
  delete meta.vmDeleted;
  const entra =
    !adJoin &&
    (dsc.properties?.settings?.properties?.aadJoin === true ||
      sim.store
        .list({ type: VM_EXTENSION_TYPE, under: vm.id })
        .some((x) => extensionKind(x) === 'entraLogin'));
  if (entra)
    sim.directory.addDevice({
      displayName: computer,
      trustType: 'AzureAd',
      operatingSystem: 'Windows',
    });
}

/** An uninstalled agent no longer reports: the host reads Unavailable (as after a VM deletion). */
export function extensionRemoved(sim: SimServices, e: StoredResource): void {
  if (extensionKind(e) === 'dsc') hostsOfVm(sim, vmIdOf(e.id)).forEach((h) => markGone(sim, h));
}

/** A deleted VM leaves its session host (AVD keeps it until it is removed from the pool). */
export function vmDeleted(sim: SimServices, vm: StoredResource): void {
  hostsOfVm(sim, vm.id).forEach((h) => markGone(sim, h));
}

function hostsOfVm(sim: SimServices, vmId: string): StoredResource[] {
  return sim.store
    .list({ type: SESSION_HOST_TYPE })
    .filter((h) => sameId(String(h.properties?.resourceId ?? ''), vmId));
}

function markGone(sim: SimServices, host: StoredResource): void {
  sim.store.meta(host.id).vmDeleted = new Date().toISOString();
}

// ---------------------------------------------------------------- status on read

const HEALTH_CHECKS = [
  'DomainJoinedCheck',
  'DomainTrustCheck',
  'SxSStackListenerCheck',
  'UrlsAccessibleCheck',
  'MetaDataServiceCheck',
  'SupportedEncryptionCheck',
];

/** The failing health check (and its message) of each unhealthy status. */
const FAILURES: Record<string, { check: string; errorCode: number; message: string }> = {
  Unavailable: {
    check: 'UrlsAccessibleCheck',
    errorCode: -2146233088,
    message:
      'One or more of the required URLs are not accessible from the session host: ' +
      'rdbroker.wvd.microsoft.com. Check the firewall and proxy settings of the session host.',
  },
  UpgradeFailed: {
    check: 'SxSStackListenerCheck',
    errorCode: -2147467259,
    message:
      'The side-by-side stack failed to install or upgrade (rdp-sxs). Reinstall the AVD agent ' +
      'and its side-by-side stack.',
  },
  NeedsAssistance: {
    check: 'MetaDataServiceCheck',
    errorCode: -2147012889,
    message:
      'The session host cannot reach the Azure Instance Metadata Service; the agent needs ' +
      'assistance to recover.',
  },
  NotJoinedToDomain: {
    check: 'DomainJoinedCheck',
    errorCode: -2147023541,
    message: 'SessionHost is not joined to a domain.',
  },
};

function healthChecks(status: string, at: string): any[] {
  const failure = FAILURES[status];
  return HEALTH_CHECKS.map((name) => {
    const failed = failure?.check === name;
    return {
      healthCheckName: name,
      healthCheckResult: failed ? 'HealthCheckFailed' : 'HealthCheckSucceeded',
      additionalFailureDetails: {
        message: failed ? failure.message : '',
        errorCode: failed ? failure.errorCode : 0,
        lastHealthCheckDateTime: at,
      },
    };
  });
}

/**
 * The live fields of a session host (status, heartbeat, health checks) for GET and the state dump;
 * `properties` as stored when nothing overrides them (a scenario host with no agent record).
 */
export function liveSessionHostProperties(sim: SimServices, host: StoredResource): any {
  const p = { ...(host.properties ?? {}) };
  const meta = sim.store.meta(host.id);
  const agent = meta.agent as AgentRecord | undefined;
  const vmId = String(p.resourceId ?? '');
  const vm = vmId ? sim.store.get(vmId) : undefined;
  const now = new Date().toISOString();
  if (meta.vmDeleted || (agent && !vm)) {
    return {
      ...p,
      status: 'Unavailable',
      statusTimestamp: meta.vmDeleted ?? now,
      lastHeartBeat: meta.vmDeleted ?? p.lastHeartBeat,
      sessionHostHealthCheckResults: [],
    };
  }
  const power = vm ? powerStateOf(sim, vm.id) : 'running';
  if (power !== 'running' && power !== 'starting') {
    return {
      ...p,
      status: 'Shutdown',
      sessionHostHealthCheckResults: HEALTH_CHECKS.map((name) => ({
        healthCheckName: name,
        healthCheckResult: 'SessionHostShutdown',
      })),
    };
  }
  if (!agent) return p;
  const availableAt = agent.registeredAt + sim.clock.scaled(agent.behaviour.afterMinutes * 60_000);
  const join = vm ? sim.store.meta(vm.id).domainJoin : undefined;
  let status: string = agent.behaviour.status;
  let since = new Date(availableAt).toISOString();
  if (join && !join.joined) {
    status = 'NotJoinedToDomain';
    since = new Date(agent.registeredAt).toISOString();
  } else if (Date.now() < availableAt || power === 'starting') {
    return {
      ...p,
      status: 'Unavailable',
      statusTimestamp: new Date(agent.registeredAt).toISOString(),
      lastHeartBeat: now,
      sessionHostHealthCheckResults: [],
    };
  }
  return {
    ...p,
    status,
    statusTimestamp: since,
    lastHeartBeat: now,
    ...(status === 'UpgradeFailed'
      ? { updateState: 'Failed', updateErrorMessage: FAILURES.UpgradeFailed.message }
      : {}),
    sessionHostHealthCheckResults: healthChecks(status, now),
  };
}
