/**
 * Compute's REST bodies for the SDK models this extension writes through ArmClient. Why not the
 * SDK: @azure/arm-compute's poller always reads a written resource back when its operation ends,
 * and a rollout that does not need the VM or extension it just wrote saves that read per write
 * (ArmClient.apply). The SDK's models are flattened; ARM nests a resource's settings, a NIC
 * configuration's and an IP configuration's under `properties`, and calls an extension's type
 * `type` (the SDK's `typePropertiesType`).
 */
import type { VirtualMachine, VirtualMachineExtension } from '@azure/arm-compute';

/** The Compute api-version these bodies follow (ComputeRP 2024-07-01). */
export const COMPUTE_API = '2024-07-01';

/** What stays outside `properties` in a tracked resource's body. */
const ENVELOPE = new Set(['location', 'tags', 'zones', 'identity', 'plan', 'extendedLocation']);
/** Read-only in the SDK's models: never sent. */
const READ_ONLY = new Set(['id', 'name', 'type', 'resources', 'etag', 'managedBy']);

type Json = Record<string, unknown>;

/** The REST body of a VM to PUT. */
export function vmRestBody(vm: VirtualMachine): Json {
  const { envelope, properties } = split(vm as unknown as Json);
  const network = properties.networkProfile as Json | undefined;
  if (network?.networkInterfaceConfigurations)
    properties.networkProfile = {
      ...network,
      networkInterfaceConfigurations: (network.networkInterfaceConfigurations as Json[]).map(
        (nic) => {
          const { name, ...rest } = nic;
          const ipConfigurations = (rest.ipConfigurations as Json[] | undefined)?.map(
            ({ name: ipName, ...ip }) => ({ name: ipName, properties: ip }),
          );
          return { name, properties: { ...rest, ...(ipConfigurations && { ipConfigurations }) } };
        },
      ),
    };
  return { ...envelope, properties };
}

/** The REST body of a VM extension to PUT. */
export function extensionRestBody(extension: VirtualMachineExtension): Json {
  const { typePropertiesType, ...rest } = extension;
  const { envelope, properties } = split(rest);
  return {
    ...envelope,
    properties: {
      ...properties,
      ...(typePropertiesType !== undefined && { type: typePropertiesType }),
    },
  };
}

function split(model: Json): { envelope: Json; properties: Json } {
  const envelope: Json = {};
  const properties: Json = {};
  for (const [key, value] of Object.entries(model)) {
    if (value === undefined || READ_ONLY.has(key)) continue;
    (ENVELOPE.has(key) ? envelope : properties)[key] = value;
  }
  return { envelope, properties };
}
