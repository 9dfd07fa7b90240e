/**
 * The reference host's settings as a HostTemplate, from its VM and extensions (or, for a pool with
 * no host, from the pool's vmTemplate). Pure: read/reference.ts does the reads.
 */
import type { VirtualMachine, VirtualMachineExtension } from '@azure/arm-compute';
import { InputError } from '../core/errors';
import { parseResourceId } from '../azure/resourceIds';
import { HostTemplate, ReferenceJoin } from './state';
import { AD_EXTENSION, DSC_EXTENSION, ENTRA_EXTENSION, INTUNE_MDM_ID } from './vmSpec';

/** What the VM's own body does not say when its NIC and disk are not VM-managed (read apart). */
export interface VmExtras {
  /** The primary NIC's first IP configuration's subnet. */
  subnetId?: string;
  acceleratedNetworking?: boolean;
  osDiskType?: string;
  osDiskSizeGB?: number;
}

/** Options of {@link templateFromVm}. */
export interface TemplateFromVm {
  vm: VirtualMachine;
  extensions: VirtualMachineExtension[];
  extras: VmExtras;
  /** The zones the pool's hosts use. */
  poolZones: string[];
}

const RUN_TAGS = /^gip\.rollout/i;

export function templateFromVm(o: TemplateFromVm): HostTemplate {
  const vm = o.vm;
  const nicConfig = vm.networkProfile?.networkInterfaceConfigurations?.[0];
  const subnetId = nicConfig?.ipConfigurations?.[0]?.subnet?.id ?? o.extras.subnetId;
  if (!subnetId)
    throw new InputError(
      'subnetId',
      `the subnet of the reference VM ${vm.name} could not be read`,
      'the subnet id for the new hosts',
    );
  const osDisk = vm.storageProfile?.osDisk;
  const sec = vm.securityProfile;
  const identity = vm.identity?.type && vm.identity.type !== 'None' ? vm.identity : undefined;
  const other = o.extensions.filter((e) => !isAgentOrJoin(e)).map((e) => e.name ?? '?');
  const dsc = o.extensions.find((e) => is(e, DSC_EXTENSION));
  const dscSettings = dsc?.settings as { modulesUrl?: unknown } | undefined;
  return {
    source: `VM ${vm.name}`,
    resourceGroup: parseResourceId(vm.id ?? '')?.resourceGroup,
    location: vm.location,
    vmSize: vm.hardwareProfile?.vmSize ?? '',
    subnetId,
    zones: o.poolZones,
    securityType: sec?.securityType,
    secureBoot: sec?.uefiSettings?.secureBootEnabled,
    vTpm: sec?.uefiSettings?.vTpmEnabled,
    osDiskType: osDisk?.managedDisk?.storageAccountType ?? o.extras.osDiskType,
    osDiskSizeGB: osDisk?.diskSizeGB ?? o.extras.osDiskSizeGB,
    licenseType: vm.licenseType,
    bootDiagnostics: vm.diagnosticsProfile?.bootDiagnostics
      ? {
          enabled: vm.diagnosticsProfile.bootDiagnostics.enabled ?? false,
          storageUri: vm.diagnosticsProfile.bootDiagnostics.storageUri,
        }
      : undefined,
    identity: identity
      ? {
          type: identity.type!,
          userAssignedIdentities: Object.keys(identity.userAssignedIdentities ?? {}),
        }
      : undefined,
    acceleratedNetworking: nicConfig?.enableAcceleratedNetworking ?? o.extras.acceleratedNetworking,
    tags: Object.fromEntries(Object.entries(vm.tags ?? {}).filter(([k]) => !RUN_TAGS.test(k))),
    adminUser: vm.osProfile?.adminUsername,
    join: joinOf(o.extensions),
    dscModulesUrl: typeof dscSettings?.modulesUrl === 'string' ? dscSettings.modulesUrl : undefined,
    otherExtensions: other,
    hyperVGeneration: vm.instanceView?.hyperVGeneration,
  };
}

interface ExtensionKind {
  publisher: string;
  type: string;
}

function is(e: VirtualMachineExtension, kind: ExtensionKind): boolean {
  return (
    (e.publisher ?? '').toLowerCase() === kind.publisher.toLowerCase() &&
    (e.typePropertiesType ?? '').toLowerCase() === kind.type.toLowerCase()
  );
}

function isAgentOrJoin(e: VirtualMachineExtension): boolean {
  return [DSC_EXTENSION, ENTRA_EXTENSION, AD_EXTENSION].some((k) => is(e, k));
}

/** How the reference host joined, from its join extension (AD DS settings included). */
export function joinOf(extensions: VirtualMachineExtension[]): ReferenceJoin {
  const ad = extensions.find((e) => is(e, AD_EXTENSION));
  if (ad) {
    const s = (ad.settings ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    return {
      type: 'activeDirectory',
      domain: str(s.Name),
      ouPath: str(s.OUPath),
      user: str(s.User),
    };
  }
  const entra = extensions.find((e) => is(e, ENTRA_EXTENSION));
  if (entra) {
    const s = (entra.settings ?? {}) as { mdmId?: unknown };
    return { type: 'entra', intuneEnroll: s.mdmId === INTUNE_MDM_ID };
  }
  return { type: 'unknown' };
}

/**
 * The template of a pool with no host, from its vmTemplate (the portal's JSON: vmSize, osDiskType,
 * securityType, secureBoot, vTPM, domain, aadJoin ...). It names no subnet: `subnetId` is needed.
 */
export function templateFromVmTemplate(
  vmTemplate: string | undefined,
  location: string,
  given: { vmSize?: string; subnetId?: string },
): HostTemplate {
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse(vmTemplate ?? '{}') as Record<string, unknown>;
  } catch {
    doc = {};
  }
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const size = doc.vmSize as { id?: unknown } | string | undefined;
  const vmSize = given.vmSize ?? (typeof size === 'string' ? size : str(size?.id));
  if (!vmSize)
    throw new InputError(
      'vmSize',
      'the pool has no session host and its vmTemplate names no VM size',
      'a VM size for the new hosts, e.g. Standard_D4s_v5',
    );
  const subnet = given.subnetId ?? str(doc.subnetId);
  if (!subnet)
    throw new InputError(
      'subnetId',
      'the pool has no session host to copy the network from and its vmTemplate names no subnet',
      'the subnet id for the new hosts',
    );
  const domain = str(doc.domain);
  const securityType = str(doc.securityType);
  return {
    source: "the pool's vmTemplate",
    location,
    vmSize,
    subnetId: subnet,
    zones: [],
    securityType: securityType && securityType !== 'Standard' ? securityType : undefined,
    secureBoot: typeof doc.secureBoot === 'boolean' ? doc.secureBoot : undefined,
    vTpm: typeof doc.vTPM === 'boolean' ? doc.vTPM : undefined,
    osDiskType: str(doc.osDiskType),
    tags: {},
    join: domain
      ? { type: 'activeDirectory', domain }
      : doc.aadJoin === true
        ? { type: 'entra', intuneEnroll: doc.mdmId === INTUNE_MDM_ID }
        : { type: 'unknown' },
    otherExtensions: [],
  };
}
