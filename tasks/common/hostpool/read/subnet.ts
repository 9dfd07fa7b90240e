/** The subnet input, read before any write: a rollout must not start towards a missing network. */
import { ArmClient } from '../../azure/armClient';
import { AzureContext } from '../../azure/clients';
import { getOrUndefined } from '../../azure/notFound';
import { InputError } from '../../core/errors';
import { NETWORK_API } from './reference';

/** Options: the connection, the `subnetId` input (a subnet resource id), the cancel signal. */
export interface RequireSubnetOptions {
  azure: AzureContext;
  subnetId: string;
  signal: AbortSignal;
}

/** Result: none; throws an InputError naming `subnetId` when Azure has no such subnet. */
export async function requireSubnet(o: RequireSubnetOptions): Promise<void> {
  const subnet = await getOrUndefined(() =>
    new ArmClient(o.azure).get<unknown>(o.subnetId, NETWORK_API, o.signal),
  );
  if (!subnet)
    throw new InputError(
      'subnetId',
      `the subnet ${o.subnetId} does not exist (or the service connection can't read it)`,
      'the id of an existing subnet in the pool’s region, or nothing to use the reference host’s',
    );
}
