/**
 * The bodies UpdateHostPool writes for a new session host, built from the reference host's
 * template (state.ts) and the overrides, with no I/O: the VM (NIC and OS disk VM-managed and
 * deleted with it), then the join extension and the AVD agent's DSC extension. Secrets (the join
 * password, the registration token) go only in `protectedSettings`, which Azure never returns; the
 * admin password only in `osProfile`, which Azure never returns either.
 */
import type { VirtualMachine, VirtualMachineExtension } from '@azure/arm-compute';
import { ResolvedJoin, HostTemplate } from './state';
import { REPLACES_TAG, RUN_TAG, TARGET_TAG } from './tags';

/** Microsoft's AVD agent DSC configuration, used when the reference host names none. */
export const DEFAULT_DSC_MODULES_URL =
  'https://wvdportalstorageblob.blob.core.windows.net/galleryartifacts/' +
  'Configuration_1.0.02990.697.zip';
/** Intune's MDM application id, for Entra-joined hosts enrolled in Intune. */
export const INTUNE_MDM_ID = '0000000a-0000-0000-c000-000000000000';

export const DSC_EXTENSION = {
  name: 'Microsoft.PowerShell.DSC',
  publisher: 'Microsoft.Powershell',
  type: 'DSC',
  version: '2.83',
};
export const ENTRA_EXTENSION = {
  name: 'AADLoginForWindows',
  publisher: 'Microsoft.Azure.ActiveDirectory',
  type: 'AADLoginForWindows',
  version: '2.0',
};
export const AD_EXTENSION = {
  name: 'joindomain',
  publisher: 'Microsoft.Compute',
  type: 'JsonADDomainExtension',
  version: '1.3',
};

/** One new host: where and under which names it is made. */
export interface NewHostName {
  /** VM name and Windows computer name (≤ 15 characters, checked by naming.ts). */
  name: string;
  /** Its index in the pool's naming (the number after the prefix). */
  index: number;
  /** The zone it goes to; undefined when the pool is not zonal. */
  zone?: string;
  /** The resource group it is made in. */
  resourceGroup: string;
  /** The old host's VM name it replaces (tag gip.rollout.replaces). */
  replaces: string;
}

/** Options of {@link newVmBody}. */
export interface NewVmOptions {
  /** The reference host's settings, overrides already applied (see applyOverrides). */
  template: HostTemplate;
  host: NewHostName;
  /** The gallery image version the host is made from. */
  imageVersionId: string;
  adminUser: string;
  /** Secret: written only into osProfile. */
  adminPassword: string;
  /** The run URL (tag gip.rollout.run). */
  runUrl: string;
}

/** The VM to PUT (ComputeRP): like the reference, from the target image, tagged for resume. */
export function newVmBody(o: NewVmOptions): VirtualMachine {
  const t = o.template;
  const body: VirtualMachine = {
    location: t.location,
    tags: {
      ...t.tags,
      [TARGET_TAG]: o.imageVersionId,
      [RUN_TAG]: o.runUrl,
      [REPLACES_TAG]: o.host.replaces,
    },
    hardwareProfile: { vmSize: t.vmSize },
    storageProfile: {
      imageReference: { id: o.imageVersionId },
      osDisk: {
        name: `${o.host.name}-osdisk`,
        createOption: 'FromImage',
        caching: 'ReadWrite',
        deleteOption: 'Delete',
        ...(t.osDiskSizeGB ? { diskSizeGB: t.osDiskSizeGB } : {}),
        ...(t.osDiskType ? { managedDisk: { storageAccountType: t.osDiskType } } : {}),
      },
    },
    osProfile: {
      computerName: o.host.name,
      adminUsername: o.adminUser,
      adminPassword: o.adminPassword,
      windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: false },
    },
    networkProfile: {
      networkApiVersion: '2020-11-01',
      networkInterfaceConfigurations: [
        {
          name: `${o.host.name}-nic`,
          primary: true,
          deleteOption: 'Delete',
          ...(t.acceleratedNetworking ? { enableAcceleratedNetworking: true } : {}),
          ipConfigurations: [{ name: 'ipconfig1', primary: true, subnet: { id: t.subnetId } }],
        },
      ],
    },
  };
  if (t.securityType)
    body.securityProfile = {
      securityType: t.securityType,
      uefiSettings: { secureBootEnabled: t.secureBoot ?? true, vTpmEnabled: t.vTpm ?? true },
    };
  if (t.bootDiagnostics)
    body.diagnosticsProfile = {
      bootDiagnostics: {
        enabled: t.bootDiagnostics.enabled,
        ...(t.bootDiagnostics.storageUri ? { storageUri: t.bootDiagnostics.storageUri } : {}),
      },
    };
  if (t.licenseType) body.licenseType = t.licenseType;
  if (o.host.zone) body.zones = [o.host.zone];
  if (t.identity)
    body.identity = {
      type: t.identity.type,
      ...(t.identity.userAssignedIdentities?.length
        ? {
            userAssignedIdentities: Object.fromEntries(
              t.identity.userAssignedIdentities.map((id) => [id, {}]),
            ),
          }
        : {}),
    };
  return body;
}

/** An extension to PUT on a new VM, in order. */
export interface ExtensionSpec {
  /** The extension's name under the VM. */
  name: string;
  body: VirtualMachineExtension;
}

/** Options of {@link extensionBodies}. */
export interface ExtensionOptions {
  location: string;
  hostPoolName: string;
  join: ResolvedJoin;
  /** Secret: the pool's registration token, supplied at execution; only in protectedSettings. */
  registrationToken: string;
  /** The AVD DSC configuration zip (the reference's, else {@link DEFAULT_DSC_MODULES_URL}). */
  dscModulesUrl?: string;
}

/**
 * The join extension and the AVD agent's DSC extension, in the order to apply them. An AD DS host
 * joins the domain first (the agent registers as the domain computer); an Entra host runs the DSC
 * first and joins after, as Microsoft's templates do. Entra join needs a system-assigned identity
 * on the VM (the template adds it, see ensureEntraIdentity).
 */
export function extensionBodies(o: ExtensionOptions): ExtensionSpec[] {
  const dsc = dscExtension(o);
  const join = joinExtension(o.join, o.location);
  return o.join.type === 'activeDirectory' ? [join, dsc] : [dsc, join];
}

function dscExtension(o: ExtensionOptions): ExtensionSpec {
  const entra = o.join.type === 'entra';
  return {
    name: DSC_EXTENSION.name,
    body: {
      location: o.location,
      publisher: DSC_EXTENSION.publisher,
      typePropertiesType: DSC_EXTENSION.type,
      typeHandlerVersion: DSC_EXTENSION.version,
      autoUpgradeMinorVersion: true,
      settings: {
        modulesUrl: o.dscModulesUrl ?? DEFAULT_DSC_MODULES_URL,
        configurationFunction: 'Configuration.ps1\\AddSessionHost',
        properties: {
          hostPoolName: o.hostPoolName,
          registrationInfoTokenCredential: {
            UserName: 'PLACEHOLDER_DO_NOT_USE',
            Password: 'PrivateSettingsRef:RegistrationInfoToken',
          },
          aadJoin: entra,
          ...(entra && o.join.type === 'entra' && o.join.intuneEnroll
            ? { mdmId: INTUNE_MDM_ID }
            : {}),
        },
      },
      protectedSettings: { Items: { RegistrationInfoToken: o.registrationToken } },
    },
  };
}

function joinExtension(join: ResolvedJoin, location: string): ExtensionSpec {
  if (join.type === 'entra')
    return {
      name: ENTRA_EXTENSION.name,
      body: {
        location,
        publisher: ENTRA_EXTENSION.publisher,
        typePropertiesType: ENTRA_EXTENSION.type,
        typeHandlerVersion: ENTRA_EXTENSION.version,
        autoUpgradeMinorVersion: true,
        ...(join.intuneEnroll ? { settings: { mdmId: INTUNE_MDM_ID } } : {}),
      },
    };
  return {
    name: AD_EXTENSION.name,
    body: {
      location,
      publisher: AD_EXTENSION.publisher,
      typePropertiesType: AD_EXTENSION.type,
      typeHandlerVersion: AD_EXTENSION.version,
      autoUpgradeMinorVersion: true,
      settings: {
        Name: join.domain,
        ...(join.ouPath ? { OUPath: join.ouPath } : {}),
        User: join.user,
        Restart: 'true',
        Options: '3',
      },
      protectedSettings: { Password: join.password },
    },
  };
}

/**
 * The template new hosts are made from: the reference's, with the overrides given as inputs, and a
 * system-assigned identity added for Entra join (AADLoginForWindows needs it).
 */
export function applyOverrides(
  t: HostTemplate,
  o: {
    vmSize?: string;
    subnetId?: string;
    zones: string[];
    osDiskType?: string;
    vmTags: Record<string, string>;
  },
  join: ResolvedJoin,
): HostTemplate {
  return {
    ...t,
    vmSize: o.vmSize ?? t.vmSize,
    subnetId: o.subnetId ?? t.subnetId,
    zones: o.zones.length ? o.zones : t.zones,
    osDiskType: o.osDiskType ?? t.osDiskType,
    tags: { ...t.tags, ...o.vmTags },
    identity: join.type === 'entra' ? withSystemIdentity(t.identity) : t.identity,
  };
}

function withSystemIdentity(identity: HostTemplate['identity']): HostTemplate['identity'] {
  if (!identity || identity.type === 'None') return { type: 'SystemAssigned' };
  if (/SystemAssigned/i.test(identity.type)) return identity;
  return { ...identity, type: 'SystemAssigned, UserAssigned' };
}
