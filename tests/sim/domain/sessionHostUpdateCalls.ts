// The simulated AVD service's own Resource Manager calls during a session host update (drain,
// message and sign out users, remove hosts, delete or deallocate VMs, create VMs with their
// extensions). They go through the simulator's router, so Compute's and AVD's simulated rules
// apply as to any client, but they are not recorded in `state().requests` (that holds what clients
// sent). The service acts with its own rights: the role Azure asks for the AVD service principal
// on the pool's resource group is not checked. Long-running calls are awaited.
import { ArmError } from '../arm/errors';
import type { ArmRequest, SimServices } from '../arm/framework';
import { Rbac } from '../arm/rbac';
import { dispatchArm } from '../arm/router';
import { subscriptionOf } from '../arm/subscriptions';

/** Azure Virtual Desktop's first-party application (the caller of the service's own calls). */
export const AVD_SERVICE = {
  appId: '9cdead84-a844-4324-93f2-b2e6bb768d07',
  objectId: 'a9e2c1f0-7d4b-4e8a-9c3f-5b6d7e8f9a0b',
};

const asService = new WeakMap<SimServices, SimServices>();

function serviceServices(sim: SimServices): SimServices {
  let s = asService.get(sim);
  if (!s) {
    s = { ...sim, rbac: new Rbac(sim.store, false) };
    asService.set(sim, s);
  }
  return s;
}

/**
 * Sends `method pathAndQuery` as the AVD service and waits for a long-running answer to end;
 * throws the ArmError of a refusal or of a failed operation.
 */
export async function serviceCall(
  sim: SimServices,
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE',
  pathAndQuery: string,
  apiVersion: string,
  body?: unknown,
): Promise<any> {
  const q = pathAndQuery.indexOf('?');
  const path = q >= 0 ? pathAndQuery.slice(0, q) : pathAndQuery;
  const query = new URLSearchParams(q >= 0 ? pathAndQuery.slice(q + 1) : '');
  query.set('api-version', apiVersion);
  const req: ArmRequest = {
    sim: serviceServices(sim),
    method,
    path,
    query,
    apiVersion,
    body: body === undefined ? undefined : structuredClone(body),
    headers: {},
    caller: AVD_SERVICE,
    subscriptionId: subscriptionOf(path) ?? sim.info.subscriptionId,
  };
  const result = await dispatchArm(req);
  const url = result.headers?.['Azure-AsyncOperation'] ?? result.headers?.Location;
  const op = url ? sim.operations.byStatusPath(new URL(url).pathname) : undefined;
  if (!op) return result.body;
  await op.settled;
  if (op.status === 'Failed') throw op.error!;
  if (op.status === 'Canceled')
    throw new ArmError(409, 'OperationCanceled', 'The operation was canceled.');
  return op.result ?? result.body;
}
