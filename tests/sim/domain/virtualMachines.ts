// Virtual machines by PUT (ComputeRP 2024-07-01) and their extensions. A VM PUT is checked as
// Compute checks it (the gallery image exists and is replicated to the VM's region, a
// TrustedLaunch image needs a TrustedLaunch VM on a Gen2 image, the subnets exist in the VM's
// region); VM-managed NICs (`networkInterfaceConfigurations`) and the OS disk become real
// resources, removed or detached with the VM by their `deleteOption`. `osProfile.adminPassword`
// and extensions' `protectedSettings` are kept out of every document (the agent reads an
// extension's protected settings from the store's meta). Power state: deallocate/start
// (long-running) and the instance view. Scenario VMs (image sources for managed images and gallery
// versions) are stored as given.
import { randomUUID } from 'crypto';
import { ArmError } from '../arm/errors';
import type { ArmRequest, ResourceTypeDef, SimServices } from '../arm/framework';
import { buildResource, clone, removeResource, startOperation } from '../arm/helpers';
import type { OperationHandle } from '../arm/operations';
import { sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';
import { IMAGE_TYPE, VM_TYPE } from './computeImages';
import { completeDisk, detachDisk, DISK_TYPE } from './disks';
import { GALLERY_IMAGE_TYPE, GALLERY_IMAGE_VERSION_TYPE, replicationStatusOf } from './gallery';
import { completeNic, NIC_TYPE, requireSubnet } from './network';
import { sameRegion } from './regions';
import { extensionProvisioned, extensionRemoved, vmDeleted } from './sessionHostAgent';

export const VM_EXTENSION_TYPE = 'Microsoft.Compute/virtualMachines/extensions';

/** Nominal durations of Compute's operations. */
export const VM_TIMINGS = {
  createMs: 90_000,
  updateMs: 10_000,
  deleteMs: 45_000,
  deallocateMs: 30_000,
  startMs: 30_000,
  extensionMs: 60_000,
};

const ASYNC = {
  header: 'Azure-AsyncOperation' as const,
  asyncSegment: 'operations',
  retryAfterSeconds: 10,
};
const BOTH = {
  header: 'both' as const,
  status: 202 as const,
  asyncSegment: 'operations',
  retryAfterSeconds: 10,
};

export type PowerState =
  'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated';

const POWER_DISPLAY: Record<PowerState, string> = {
  starting: 'VM starting',
  running: 'VM running',
  stopping: 'VM stopping',
  stopped: 'VM stopped',
  deallocating: 'VM deallocating',
  deallocated: 'VM deallocated',
};

/** A VM's power state (running for scenario VMs that say nothing else). */
export function powerStateOf(sim: SimServices, vmId: string): PowerState {
  return (sim.store.meta(vmId).power as PowerState | undefined) ?? 'running';
}

function setPower(sim: SimServices, vm: StoredResource, power: PowerState): void {
  sim.store.meta(vm.id).power = power;
}

/** The computer name of a VM (`osProfile.computerName`, else its name, as Compute defaults it). */
export function computerNameOf(vm: StoredResource): string {
  return String(vm.properties?.osProfile?.computerName ?? vm.name);
}

// ---------------------------------------------------------------- image checks

function galleryImageNotFound(id: string, region: string): ArmError {
  return new ArmError(
    404,
    'GalleryImageNotFound',
    `The gallery image ${id} is not available in ${region} region. Please contact image owner ` +
      'to replicate to this region, or change your requested region.',
    { target: 'imageReference' },
  );
}

function versionKey(name: string): number[] {
  return name.split('.').map((n) => Number(n) || 0);
}

function newerFirst(a: StoredResource, b: StoredResource): number {
  const x = versionKey(a.name);
  const y = versionKey(b.name);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (y[i] ?? 0) - (x[i] ?? 0);
  return 0;
}

/**
 * The version "latest" means in a region: the newest published to that region and not excluded
 * from latest (there or everywhere).
 */
function latestVersion(
  sim: SimServices,
  definitionId: string,
  region: string,
): StoredResource | undefined {
  return sim.store
    .list({ type: GALLERY_IMAGE_VERSION_TYPE, under: definitionId })
    .filter((v) => {
      const pp = v.properties?.publishingProfile ?? {};
      if (v.properties?.provisioningState !== 'Succeeded' || pp.excludeFromLatest === true)
        return false;
      const target = (pp.targetRegions ?? []).find((t: any) => sameRegion(String(t.name), region));
      return target !== undefined && target.excludeFromLatest !== true;
    })
    .sort(newerFirst)[0];
}

interface ResolvedImage {
  /** The gallery image version the disk is made from (definition ids resolve to their latest). */
  versionId?: string;
  definition?: StoredResource;
}

/**
 * Compute's checks of `storageProfile.imageReference` for gallery images: the version (or the
 * definition's latest) exists and is replicated to the VM's region. Managed images must exist;
 * marketplace references are taken as they are.
 */
function resolveImage(sim: SimServices, imageRef: any, region: string): ResolvedImage {
  const id = typeof imageRef?.id === 'string' ? imageRef.id : undefined;
  if (!id) return {};
  const target = sim.store.get(id);
  if (target && sameId(target.type, IMAGE_TYPE)) return {};
  let version: StoredResource | undefined;
  let definition: StoredResource | undefined;
  if (target && sameId(target.type, GALLERY_IMAGE_TYPE)) {
    definition = target;
    version = latestVersion(sim, target.id, region);
  } else if (target && sameId(target.type, GALLERY_IMAGE_VERSION_TYPE)) {
    version = target;
    definition = sim.store.get(
      target.id.slice(0, target.id.toLowerCase().lastIndexOf('/versions/')),
    );
  } else if (!/\/providers\/Microsoft\.Compute\/(galleries|images)\//i.test(id)) {
    return {};
  }
  if (!version) throw galleryImageNotFound(id, region);
  const replicated = replicationStatusOf(sim, version.id).summary.some(
    (s) => sameRegion(s.region, region) && s.state === 'Completed',
  );
  if (!replicated) throw galleryImageNotFound(version.id, region);
  return { versionId: version.id, definition };
}

function securityTypeOf(definition: StoredResource | undefined): string | undefined {
  const f = (definition?.properties?.features ?? []).find(
    (x: any) => String(x?.name).toLowerCase() === 'securitytype',
  );
  return f?.value === undefined ? undefined : String(f.value);
}

function missing(parameter: string, target: string): ArmError {
  return new ArmError(
    400,
    'InvalidParameter',
    `Required parameter '${parameter}' is missing (null).`,
    {
      target,
    },
  );
}

/** What Compute requires of a new VM's body beyond the contract. */
function checkRequired(vmBody: any, image: ResolvedImage): void {
  const p = vmBody?.properties ?? {};
  const configs = p.networkProfile?.networkInterfaceConfigurations ?? [];
  if (configs.length > 0 && !p.networkProfile?.networkApiVersion)
    throw missing('networkApiVersion', 'networkProfile.networkApiVersion');
  if (/^generalized$/i.test(String(image.definition?.properties?.osState ?? ''))) {
    if (!p.osProfile) throw missing('osProfile', 'osProfile');
    const windows = !/^linux$/i.test(String(image.definition?.properties?.osType ?? ''));
    if (windows && !p.osProfile.adminPassword) throw missing('adminPassword', 'adminPassword');
  }
}

function checkSecurity(vmBody: any, image: ResolvedImage): void {
  const def = image.definition;
  if (!def) return;
  const vmType = String(vmBody?.properties?.securityProfile?.securityType ?? '');
  if (/^trustedlaunch$/i.test(securityTypeOf(def) ?? '') && !/^trustedlaunch$/i.test(vmType)) {
    throw new ArmError(
      400,
      'BadRequest',
      'The provided gallery image only supports creation of VMs and VM Scale Sets with ' +
        "'TrustedLaunch' security type.",
    );
  }
  if (/^trustedlaunch$/i.test(vmType) && /^v1$/i.test(String(def.properties?.hyperVGeneration))) {
    throw new ArmError(
      400,
      'BadRequest',
      `Security type 'TrustedLaunch' requires a Hyper-V Generation 2 image, but the image ` +
        `${def.id} is of Hyper-V Generation 'V1'.`,
      { target: 'securityProfile.securityType' },
    );
  }
}

// ---------------------------------------------------------------- VM-managed resources

function groupIdOf(vmId: string): string {
  return vmId.slice(0, vmId.toLowerCase().indexOf('/providers/'));
}

/** NIC documents for `networkInterfaceConfigurations` (not stored yet; subnets checked). */
function managedNics(sim: SimServices, vm: StoredResource, body: any): StoredResource[] {
  const configs = body?.properties?.networkProfile?.networkInterfaceConfigurations ?? [];
  return configs.map((c: any) => {
    const p = c?.properties ?? {};
    const nic: StoredResource = {
      id: `${groupIdOf(vm.id)}/providers/${NIC_TYPE}/${vm.name}-${String(c?.name)}`,
      name: `${vm.name}-${String(c?.name)}`,
      type: NIC_TYPE,
      location: vm.location,
      ...(vm.tags ? { tags: clone(vm.tags) } : {}),
      properties: {
        provisioningState: 'Succeeded',
        primary: p.primary ?? configs.length === 1,
        enableAcceleratedNetworking: p.enableAcceleratedNetworking ?? false,
        enableIPForwarding: p.enableIPForwarding ?? false,
        ...(p.networkSecurityGroup ? { networkSecurityGroup: clone(p.networkSecurityGroup) } : {}),
        ipConfigurations: (p.ipConfigurations ?? []).map((ic: any) => ({
          name: ic?.name,
          properties: {
            primary: ic?.properties?.primary,
            subnet: { id: ic?.properties?.subnet?.id },
            privateIPAddressVersion: ic?.properties?.privateIPAddressVersion ?? 'IPv4',
          },
        })),
        virtualMachine: { id: vm.id },
      },
    };
    for (const ic of p.ipConfigurations ?? [])
      requireSubnet(sim, ic?.properties?.subnet?.id, vm.location, vm.id);
    return nic;
  });
}

/** Existing NICs of `networkProfile.networkInterfaces` must exist, unused by another VM. */
function attachedNics(sim: SimServices, vm: StoredResource, body: any): StoredResource[] {
  return (body?.properties?.networkProfile?.networkInterfaces ?? []).map((ref: any) => {
    const nic = sim.store.get(String(ref?.id ?? ''));
    if (!nic || !sameId(nic.type, NIC_TYPE)) {
      throw new ArmError(
        400,
        'NotFound',
        `Resource ${String(ref?.id)} referenced by resource ${vm.id} was not found. Please ` +
          'make sure that the referenced resource exists, and that both resources are in the ' +
          'same region.',
      );
    }
    const owner = nic.properties?.virtualMachine?.id;
    if (owner && !sameId(owner, vm.id) && sim.store.has(owner)) {
      throw new ArmError(
        400,
        'NicInUse',
        `Network Interface ${nic.id} is used by existing resource ${owner}. In order to ` +
          'delete the network interface, it must be dissociated from the resource. To learn ' +
          'more, see aka.ms/deletenic.',
      );
    }
    return nic;
  });
}

function osDiskName(vm: StoredResource, osDisk: any): string {
  return String(osDisk?.name ?? `${vm.name}_OsDisk_1_${randomUUID().replace(/-/g, '')}`);
}

// ---------------------------------------------------------------- virtual machines

function vmBuild(req: ArmRequest, existing: StoredResource | undefined): StoredResource {
  const sim = req.sim;
  const doc = buildResource(req, vmDef, existing);
  const p = doc.properties;
  if (p.osProfile) {
    delete p.osProfile.adminPassword;
    delete p.osProfile.customData;
  }
  if (existing) {
    // An update keeps what Compute made at creation (ids, disks, NICs).
    p.vmId = existing.properties?.vmId;
    p.timeCreated = existing.properties?.timeCreated;
    p.storageProfile = existing.properties?.storageProfile ?? p.storageProfile;
    p.networkProfile = existing.properties?.networkProfile ?? p.networkProfile;
    if (existing.properties?.osProfile) p.osProfile = existing.properties.osProfile;
    return doc;
  }
  const region = doc.location ?? '';
  const image = resolveImage(sim, p.storageProfile?.imageReference, region);
  checkRequired(req.body, image);
  checkSecurity(req.body, image);
  const nics = managedNics(sim, doc, req.body);
  const attached = attachedNics(sim, doc, req.body);
  p.vmId = randomUUID();
  p.timeCreated = new Date().toISOString();
  const configs = p.networkProfile?.networkInterfaceConfigurations ?? [];
  p.networkProfile = {
    ...(p.networkProfile ?? {}),
    networkInterfaces: [
      ...(p.networkProfile?.networkInterfaces ?? []).map((r: any, i: number) => ({
        id: attached[i].id,
        properties: { deleteOption: 'Detach', ...(r.properties ?? {}) },
      })),
      ...nics.map((n, i) => ({
        id: n.id,
        properties: {
          primary: n.properties.primary,
          deleteOption: configs[i]?.properties?.deleteOption ?? 'Detach',
        },
      })),
    ],
  };
  const sp = (p.storageProfile ??= {});
  const os = (sp.osDisk ??= { createOption: 'FromImage' });
  const definition = image.definition;
  os.osType ??= definition?.properties?.osType ?? 'Windows';
  os.name = osDiskName(doc, os);
  os.caching ??= 'ReadWrite';
  os.deleteOption ??= 'Detach';
  const storageAccountType = os.managedDisk?.storageAccountType ?? 'Premium_LRS';
  const diskId = `${groupIdOf(doc.id)}/providers/${DISK_TYPE}/${os.name}`;
  os.managedDisk = { ...(os.managedDisk ?? {}), storageAccountType, id: diskId };
  os.diskSizeGB ??= 127;
  sp.dataDisks ??= [];
  sp.diskControllerType ??= 'SCSI';
  const meta = { nics, attached, diskId, image, storageAccountType };
  pending.set(doc, meta);
  return doc;
}

/** What vmBuild prepared for onStored (the store's meta exists only once the VM is stored). */
const pending = new WeakMap<
  StoredResource,
  {
    nics: StoredResource[];
    attached: StoredResource[];
    diskId: string;
    image: ResolvedImage;
    storageAccountType: string;
  }
>();

function vmOnStored(vm: StoredResource, sim: SimServices): void {
  const made = pending.get(vm);
  if (!made) {
    // A scenario VM in state-dump shape: its power state is in the instance view.
    const power = (vm.properties?.instanceView?.statuses ?? [])
      .map((st: any) => /^PowerState\/(\w+)$/.exec(String(st?.code ?? ''))?.[1])
      .find((x: string | undefined) => x !== undefined);
    if (power && sim.store.meta(vm.id).power === undefined) sim.store.meta(vm.id).power = power;
    return;
  }
  pending.delete(vm);
  for (const nic of made.nics) sim.store.put(completeNic(sim, nic));
  for (const nic of made.attached) nic.properties.virtualMachine = { id: vm.id };
  const os = vm.properties.storageProfile.osDisk;
  const def = made.image.definition;
  sim.store.put(
    completeDisk({
      id: made.diskId,
      name: os.name,
      type: DISK_TYPE,
      location: vm.location,
      ...(vm.zones ? { zones: clone(vm.zones) } : {}),
      ...(vm.tags ? { tags: clone(vm.tags) } : {}),
      managedBy: vm.id,
      sku: { name: made.storageAccountType },
      properties: {
        osType: os.osType,
        hyperVGeneration: def?.properties?.hyperVGeneration ?? 'V1',
        creationData: made.image.versionId
          ? { createOption: 'FromImage', galleryImageReference: { id: made.image.versionId } }
          : { createOption: 'FromImage' },
        diskSizeGB: os.diskSizeGB,
        ...(vm.properties.securityProfile?.securityType
          ? { securityProfile: { securityType: vm.properties.securityProfile.securityType } }
          : {}),
        provisioningState: 'Succeeded',
      },
    }),
  );
  sim.store.meta(vm.id).power = 'starting';
}

/** Removes or detaches the VM's NICs and OS disk by their deleteOption. */
function releaseVmResources(vm: StoredResource, sim: SimServices): void {
  for (const ref of vm.properties?.networkProfile?.networkInterfaces ?? []) {
    const nic = sim.store.get(String(ref?.id ?? ''));
    if (!nic) continue;
    if (/^delete$/i.test(String(ref.properties?.deleteOption ?? ''))) removeResource(sim, nic.id);
    else delete nic.properties.virtualMachine;
  }
  const os = vm.properties?.storageProfile?.osDisk;
  const disk = os?.managedDisk?.id ? sim.store.get(os.managedDisk.id) : undefined;
  if (disk) {
    if (/^delete$/i.test(String(os.deleteOption ?? ''))) removeResource(sim, disk.id);
    else detachDisk(disk);
  }
}

function statusesOf(sim: SimServices, vm: StoredResource): any[] {
  const state = String(vm.properties?.provisioningState ?? 'Succeeded');
  const power = powerStateOf(sim, vm.id);
  return [
    {
      code: `ProvisioningState/${state.toLowerCase()}`,
      level: state === 'Failed' ? 'Error' : 'Info',
      displayStatus: state === 'Succeeded' ? 'Provisioning succeeded' : `Provisioning ${state}`,
      time: sim.store.meta(vm.id).powerChangedAt ?? vm.properties?.timeCreated,
    },
    { code: `PowerState/${power}`, level: 'Info', displayStatus: POWER_DISPLAY[power] },
  ];
}

function instanceViewOf(sim: SimServices, vm: StoredResource): any {
  const p = vm.properties ?? {};
  return {
    computerName: computerNameOf(vm),
    osName: /linux/i.test(String(p.storageProfile?.osDisk?.osType)) ? 'Linux' : 'Windows',
    hyperVGeneration: p.instanceView?.hyperVGeneration ?? p.hyperVGeneration ?? 'V2',
    vmAgent: { vmAgentVersion: '2.7.41491.1102', statuses: [] },
    disks: p.storageProfile?.osDisk?.name ? [{ name: p.storageProfile.osDisk.name }] : [],
    extensions: sim.store
      .list({ type: VM_EXTENSION_TYPE, under: vm.id })
      .map((e) => ({ name: e.name, type: `${e.properties?.publisher}.${e.properties?.type}` })),
    statuses: statusesOf(sim, vm),
  };
}

function extensionView(e: StoredResource): StoredResource {
  const out = clone(e);
  delete out.properties?.protectedSettings;
  return out;
}

function vmView(vm: StoredResource, sim: SimServices, req?: ArmRequest): unknown {
  const out = clone(vm);
  const exts = sim.store.list({ type: VM_EXTENSION_TYPE, under: vm.id });
  // Extensions are their own resources; a dumped VM's `resources` are shown from them, not kept.
  delete out.resources;
  if (exts.length > 0) out.resources = exts.map(extensionView);
  if (!req || /(^|,)\s*instanceview\s*($|,)/i.test(req.query.get('$expand') ?? ''))
    out.properties.instanceView = {
      ...(out.properties.instanceView ?? {}),
      ...instanceViewOf(sim, vm),
    };
  return out;
}

function powerAction(kind: 'deallocate' | 'start') {
  return {
    run: (req: ArmRequest, vm: StoredResource) => {
      const sim = req.sim;
      const [during, after, ms] =
        kind === 'deallocate'
          ? (['deallocating', 'deallocated', VM_TIMINGS.deallocateMs] as const)
          : (['starting', 'running', VM_TIMINGS.startMs] as const);
      setPower(sim, vm, during);
      return startOperation(req, {
        kind: 'action',
        resource: vm,
        style: BOTH,
        status: 202,
        run: async (op: OperationHandle) => {
          await op.clock.sleep(ms, op.signal);
          sim.store.meta(vm.id).powerChangedAt = new Date().toISOString();
          if (sim.store.get(vm.id) === vm) setPower(sim, vm, after);
          // Compute's final Location answer is 200 with an empty body.
          return null;
        },
      }).result;
    },
  };
}

const vmDef: ResourceTypeDef = {
  type: VM_TYPE,
  apiVersions: ['2024-07-01', '2024-03-01'],
  lro: {
    put: { ...ASYNC, durationMs: VM_TIMINGS.createMs },
    patch: { ...ASYNC, durationMs: VM_TIMINGS.updateMs },
    delete: { ...BOTH, durationMs: VM_TIMINGS.deleteMs },
  },
  build: vmBuild,
  onStored: vmOnStored,
  async provision(op, vm, sim) {
    const creating = sim.store.meta(vm.id).power === 'starting';
    await op.clock.sleep(creating ? VM_TIMINGS.createMs : VM_TIMINGS.updateMs, op.signal);
    if (creating && sim.store.get(vm.id) === vm) {
      sim.store.meta(vm.id).powerChangedAt = new Date().toISOString();
      setPower(sim, vm, 'running');
    }
  },
  onDeleted(vm, sim) {
    releaseVmResources(vm, sim);
    vmDeleted(sim, vm);
  },
  seed(r) {
    r.properties = r.properties ?? {};
    r.properties.vmId ??= randomUUID();
    r.properties.provisioningState ??= 'Succeeded';
    return r;
  },
  view: vmView,
  actions: {
    deallocate: powerAction('deallocate'),
    start: powerAction('start'),
    instanceView: {
      method: 'GET',
      rbacAction: `${VM_TYPE}/read`,
      run: (req, vm) => ({ status: 200, body: instanceViewOf(req.sim, vm) }),
    },
  },
};

// ---------------------------------------------------------------- extensions

/** An extension's protected settings (kept out of every document; the agent reads them). */
export function protectedSettingsOf(sim: SimServices, extensionId: string): any {
  return sim.store.has(extensionId) ? sim.store.meta(extensionId).protectedSettings : undefined;
}

const extensionPending = new WeakMap<StoredResource, unknown>();

function vmOfExtension(extensionId: string): string {
  return extensionId.slice(0, extensionId.toLowerCase().lastIndexOf('/extensions/'));
}

const extensionDef: ResourceTypeDef = {
  type: VM_EXTENSION_TYPE,
  apiVersions: ['2024-07-01', '2024-03-01'],
  lro: {
    put: { ...ASYNC, durationMs: VM_TIMINGS.extensionMs },
    patch: { ...ASYNC, durationMs: VM_TIMINGS.extensionMs },
    delete: { ...BOTH, durationMs: 20_000 },
  },
  beforePut(req) {
    const vmId = vmOfExtension(req.level!.id);
    const power = req.sim.store.has(vmId) ? powerStateOf(req.sim, vmId) : 'running';
    if (power !== 'running' && power !== 'starting') {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        'Cannot modify extensions in the VM when the VM is not running.',
      );
    }
  },
  build(req, existing) {
    const doc = buildResource(req, extensionDef, existing);
    if (doc.properties.protectedSettings !== undefined) {
      extensionPending.set(doc, doc.properties.protectedSettings);
      delete doc.properties.protectedSettings;
    }
    return doc;
  },
  onStored(e, sim) {
    if (extensionPending.has(e)) {
      sim.store.meta(e.id).protectedSettings = extensionPending.get(e);
      extensionPending.delete(e);
    } else if (e.properties?.protectedSettings !== undefined) {
      // A scenario extension (or a PATCH that sent them).
      sim.store.meta(e.id).protectedSettings = e.properties.protectedSettings;
      delete e.properties.protectedSettings;
    }
  },
  async provision(op, e, sim) {
    await op.clock.sleep(VM_TIMINGS.extensionMs, op.signal);
    if (sim.store.get(e.id) !== e) return;
    extensionProvisioned(sim, e);
  },
  onDeleted(e, sim) {
    extensionRemoved(sim, e);
  },
  view: extensionView,
};

export function virtualMachineTypes(): ResourceTypeDef[] {
  return [vmDef, extensionDef];
}
