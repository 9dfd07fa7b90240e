// Virtual networks, subnets and network interfaces (Microsoft.Network 2024-05-01), as far as VMs
// need them. A virtual network's subnets are stored as `.../subnets` resources and shown in the
// network's `properties.subnets` on read, so both views always agree: a network PUT with subnets
// replaces its subnet resources, a subnet PUT or DELETE changes the network's list. Writes are
// long-running as the Network provider answers them (PUT: Azure-AsyncOperation; DELETE: 202 with
// Location and Azure-AsyncOperation, final state via Location); PATCH (tags) is synchronous.
import { randomBytes, randomUUID } from 'crypto';
import { ArmError } from '../arm/errors';
import type { ResourceTypeDef, SimServices } from '../arm/framework';
import { buildResource, clone, locationOf, removeResource } from '../arm/helpers';
import { sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';

export const VNET_TYPE = 'Microsoft.Network/virtualNetworks';
export const SUBNET_TYPE = 'Microsoft.Network/virtualNetworks/subnets';
export const NIC_TYPE = 'Microsoft.Network/networkInterfaces';
const IP_CONFIGURATION_TYPE = 'Microsoft.Network/networkInterfaces/ipConfigurations';

const API_VERSIONS = ['2024-05-01', '2024-03-01', '2023-11-01'];
const PUT_STYLE = {
  header: 'Azure-AsyncOperation' as const,
  asyncSegment: 'operations',
  retryAfterSeconds: 10,
};
const DELETE_STYLE = {
  header: 'both' as const,
  status: 202 as const,
  asyncSegment: 'operations',
  locationSegment: 'operationResults',
  retryAfterSeconds: 10,
};

const etag = () => `W/"${randomUUID()}"`;

/** The virtual network id of a subnet id. */
export function vnetIdOf(subnetId: string): string {
  return subnetId.slice(0, subnetId.toLowerCase().lastIndexOf('/subnets/'));
}

/**
 * Network's error for a reference to a resource that does not exist or is in another region (a
 * NIC's subnet, a VM's NIC).
 */
export function invalidResourceReference(missingId: string, referencedBy: string): ArmError {
  return new ArmError(
    400,
    'InvalidResourceReference',
    `Resource ${missingId} referenced by resource ${referencedBy} was not found. Please make ` +
      'sure that the referenced resource exists, and that both resources are in the same region.',
    { details: [] },
  );
}

/** The subnet a reference names, when it exists in `location`. */
export function requireSubnet(
  sim: SimServices,
  subnetId: unknown,
  location: string | undefined,
  referencedBy: string,
): StoredResource {
  const id = typeof subnetId === 'string' ? subnetId : '';
  const subnet = id ? sim.store.get(id) : undefined;
  if (!subnet || !sameId(subnet.type, SUBNET_TYPE))
    throw invalidResourceReference(id, referencedBy);
  const vnetLocation = locationOf(sim, subnet.id);
  if (location && vnetLocation && vnetLocation !== location)
    throw invalidResourceReference(id, referencedBy);
  return subnet;
}

// ---------------------------------------------------------------- subnets

function subnetDoc(vnetId: string, s: any): StoredResource {
  const name = String(s?.name ?? '');
  const props = clone(s?.properties ?? {});
  delete props.ipConfigurations;
  return {
    id: `${vnetId}/subnets/${name}`,
    name,
    type: SUBNET_TYPE,
    etag: typeof s?.etag === 'string' ? s.etag : etag(),
    properties: {
      privateEndpointNetworkPolicies: 'Disabled',
      privateLinkServiceNetworkPolicies: 'Enabled',
      ...props,
      provisioningState: 'Succeeded',
    },
  };
}

/** NIC ip configurations that use a subnet (what Network shows in `ipConfigurations`). */
function ipConfigurationsIn(sim: SimServices, subnetId: string): Array<{ id: string }> {
  const out: Array<{ id: string }> = [];
  for (const nic of sim.store.list({ type: NIC_TYPE })) {
    for (const c of nic.properties?.ipConfigurations ?? []) {
      if (sameId(String(c.properties?.subnet?.id ?? ''), subnetId)) out.push({ id: c.id });
    }
  }
  return out;
}

function subnetView(r: StoredResource, sim: SimServices): StoredResource {
  const out = clone(r);
  const used = ipConfigurationsIn(sim, r.id);
  if (used.length > 0) out.properties.ipConfigurations = used;
  return out;
}

const subnetDef: ResourceTypeDef = {
  type: SUBNET_TYPE,
  apiVersions: API_VERSIONS,
  lro: { put: { ...PUT_STYLE, durationMs: 5_000 }, delete: { ...DELETE_STYLE, durationMs: 5_000 } },
  patch: false,
  build(req, existing) {
    const doc = subnetDoc(vnetIdOf(req.level!.id), { ...req.body, name: req.level!.name });
    if (existing) doc.name = existing.name;
    return doc;
  },
  seed(r) {
    return { ...subnetDoc(vnetIdOf(r.id), r), name: r.name };
  },
  view: subnetView,
  beforeDelete(req, r) {
    const used = ipConfigurationsIn(req.sim, r.id);
    if (used.length > 0) {
      throw new ArmError(
        400,
        'InUseSubnetCannotBeDeleted',
        `Subnet ${r.name} is in use by ${used[0].id} and cannot be deleted. In order to delete ` +
          'the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.',
      );
    }
  },
};

// ---------------------------------------------------------------- virtual networks

/** A network PUT (or scenario network) with `properties.subnets`: those become its subnets. */
function syncSubnets(sim: SimServices, vnet: StoredResource): void {
  const given = vnet.properties?.subnets;
  if (!Array.isArray(given)) return;
  delete vnet.properties.subnets;
  const keep = new Set<string>();
  for (const s of given) {
    const doc = subnetDoc(vnet.id, s);
    keep.add(doc.id.toLowerCase());
    const existing = sim.store.get(doc.id);
    if (existing) doc.etag = existing.etag;
    sim.store.put(doc);
  }
  for (const s of sim.store.list({ type: SUBNET_TYPE, under: vnet.id })) {
    if (keep.has(s.id.toLowerCase())) continue;
    if (ipConfigurationsIn(sim, s.id).length > 0) continue; // Network refuses; keep it
    removeResource(sim, s.id);
  }
}

const vnetDef: ResourceTypeDef = {
  type: VNET_TYPE,
  apiVersions: API_VERSIONS,
  lro: {
    put: { ...PUT_STYLE, durationMs: 10_000 },
    delete: { ...DELETE_STYLE, durationMs: 10_000 },
  },
  beforePut(req) {
    const names = (req.body?.properties?.subnets ?? []).map((s: any) => String(s?.name ?? ''));
    const vnetId = req.level!.id;
    for (const s of req.sim.store.list({ type: SUBNET_TYPE, under: vnetId })) {
      const used = ipConfigurationsIn(req.sim, s.id);
      if (
        Array.isArray(req.body?.properties?.subnets) &&
        used.length > 0 &&
        !names.some((n: string) => n.toLowerCase() === s.name.toLowerCase())
      ) {
        throw new ArmError(
          400,
          'InUseSubnetCannotBeDeleted',
          `Subnet ${s.name} is in use by ${used[0].id} and cannot be deleted. In order to ` +
            'delete the subnet, delete all the resources within the subnet. See ' +
            'aka.ms/deletesubnet.',
        );
      }
    }
  },
  onStored(r, sim) {
    r.etag ??= etag();
    r.properties.resourceGuid ??= randomUUID();
    syncSubnets(sim, r);
  },
  view(r, sim) {
    const out = clone(r);
    out.properties.subnets = sim.store
      .list({ type: SUBNET_TYPE, under: r.id })
      .map((s) => subnetView(s, sim));
    return out;
  },
  beforeDelete(req, r) {
    for (const s of req.sim.store.list({ type: SUBNET_TYPE, under: r.id })) {
      const used = ipConfigurationsIn(req.sim, s.id);
      if (used.length > 0) {
        throw new ArmError(
          400,
          'InUseSubnetCannotBeDeleted',
          `Subnet ${s.name} is in use by ${used[0].id} and cannot be deleted. In order to ` +
            'delete the subnet, delete all the resources within the subnet. See ' +
            'aka.ms/deletesubnet.',
        );
      }
    }
  },
};

// ---------------------------------------------------------------- network interfaces

/** Next free address of a subnet's first prefix (x.y.z.4 upward, as Azure reserves .0-.3). */
function nextAddress(sim: SimServices, subnet: StoredResource): string | undefined {
  const prefix = String(
    subnet.properties?.addressPrefix ?? subnet.properties?.addressPrefixes?.[0] ?? '',
  );
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(prefix);
  if (!m) return undefined;
  const base = ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0;
  const size = 2 ** (32 - Number(m[5]));
  const used = new Set<string>();
  for (const nic of sim.store.list({ type: NIC_TYPE }))
    for (const c of nic.properties?.ipConfigurations ?? [])
      if (c.properties?.privateIPAddress) used.add(String(c.properties.privateIPAddress));
  for (let i = 4; i < size - 1; i++) {
    const a = (base + i) >>> 0;
    const ip = [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/**
 * Completes a NIC document (PUT, scenario, or a VM's managed NIC): ip configuration ids, addresses,
 * MAC. Throws InvalidResourceReference for a missing subnet, unless `seeding` (a scenario may list
 * a NIC before its network).
 */
export function completeNic(
  sim: SimServices,
  nic: StoredResource,
  seeding = false,
): StoredResource {
  const p = (nic.properties ??= {});
  p.ipConfigurations = (p.ipConfigurations ?? []).map((c: any, i: number) => {
    const subnetId: unknown = c?.properties?.subnet?.id;
    const subnet = seeding
      ? sim.store.get(typeof subnetId === 'string' ? subnetId : '')
      : requireSubnet(sim, subnetId, nic.location, nic.id);
    const name = String(c?.name ?? `ipconfig${i + 1}`);
    const props = c?.properties ?? {};
    return {
      ...c,
      id: `${nic.id}/ipConfigurations/${name}`,
      name,
      type: IP_CONFIGURATION_TYPE,
      properties: {
        privateIPAllocationMethod: 'Dynamic',
        privateIPAddressVersion: 'IPv4',
        primary: i === 0,
        ...props,
        privateIPAddress: props.privateIPAddress ?? (subnet ? nextAddress(sim, subnet) : undefined),
        subnet: { id: subnet?.id ?? subnetId },
        provisioningState: 'Succeeded',
      },
    };
  });
  p.resourceGuid ??= randomUUID();
  p.macAddress ??= [...randomBytes(6)]
    .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
    .join('-');
  p.nicType ??= 'Standard';
  p.enableAcceleratedNetworking ??= false;
  p.enableIPForwarding ??= false;
  nic.etag ??= etag();
  return nic;
}

const nicDef: ResourceTypeDef = {
  type: NIC_TYPE,
  apiVersions: API_VERSIONS,
  lro: { put: { ...PUT_STYLE, durationMs: 5_000 }, delete: { ...DELETE_STYLE, durationMs: 5_000 } },
  build(req, existing) {
    const doc = buildResource(req, nicDef, existing);
    if (existing?.properties?.virtualMachine)
      doc.properties.virtualMachine = existing.properties.virtualMachine;
    return completeNic(req.sim, doc);
  },
  seed(r, sim) {
    return completeNic(sim, r, true);
  },
  beforeDelete(req, r) {
    const vmId = r.properties?.virtualMachine?.id;
    if (vmId && req.sim.store.has(vmId)) {
      throw new ArmError(
        400,
        'NicInUse',
        `Network Interface ${r.id} is used by existing resource ${vmId}. In order to delete ` +
          'the network interface, it must be dissociated from the resource. To learn more, see ' +
          'aka.ms/deletenic.',
      );
    }
  },
};

export function networkTypes(): ResourceTypeDef[] {
  return [vnetDef, subnetDef, nicDef];
}
