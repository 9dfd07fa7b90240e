// Routes an authenticated ARM request: operation polls, custom routes, then resource paths with the
// checks Resource Manager makes before a provider sees the request (subscription, authorization,
// provider registration, parent existence) and the generic GET/PUT/PATCH/DELETE/list/action
// handlers.
import { sleepReal } from '../core/clock';
import { validateRequestBody } from './bodyValidation';
import { ArmError, armErrors } from './errors';
import type { ArmRequest, ArmResult, ResourceTypeDef, SimServices } from './framework';
import {
  buildResource,
  clone,
  mergePatch,
  notFound,
  paged,
  removeResource,
  resolveIdentity,
  setProvisioningState,
  startOperation,
} from './helpers';
import type { Operation } from './operations';
import {
  Level,
  parseArmPath,
  rbacType,
  RESOURCE_GROUP_TYPE,
  sameId,
  SUBSCRIPTION_TYPE,
} from './paths';
import type { StoredResource } from './store';
import { subscriptionOf } from './subscriptions';

export async function dispatchArm(req: ArmRequest): Promise<ArmResult> {
  const sim = req.sim;
  const op = sim.operations.byStatusPath(req.path);
  if (op && req.method === 'GET') return pollOperation(req, op);

  for (const route of sim.types.routes) {
    if (route.method !== req.method) continue;
    const m = route.pattern.exec(req.path);
    if (!m) continue;
    checkSubscription(req);
    const authz = route.authorize?.(req, m);
    if (authz) sim.rbac.require(req.caller, authz.action, authz.scope);
    if (route.namespace) sim.providers.require(req.subscriptionId, route.namespace);
    return route.handle(req, m);
  }

  const parsed = parseArmPath(req.path);
  if (!parsed || parsed.levels.length === 0) throw noRoute(req);
  req.parsed = parsed;
  req.resourceGroup = parsed.resourceGroup;
  checkSubscription(req);
  const levels = parsed.levels;
  const last = levels[levels.length - 1];

  if (parsed.open) {
    const parent = levels[levels.length - 2];
    if (req.method === 'GET') {
      const def = sim.types.get(last.type);
      if (def) return listResources(req, def, last, parent);
      const parentDef = parent && sim.types.get(parent.type);
      const action = parentDef && findAction(parentDef, last.type.split('/').pop()!, 'GET');
      if (action) return runAction(req, parentDef, parent, action.name, action.def);
      throw unknownType(req, last);
    }
    if (req.method === 'POST' && parent) {
      const parentDef = sim.types.get(parent.type);
      if (!parentDef) throw unknownType(req, parent);
      const action = findAction(parentDef, last.type.split('/').pop()!, 'POST');
      if (!action)
        throw new ArmError(
          404,
          'NotFound',
          `No HTTP resource was found that matches the request URI ` +
            `'${sim.armUrl(req.path)}'. (The simulator does not implement the action ` +
            `'${last.type.split('/').pop()}' of ${parentDef.type}.)`,
        );
      return runAction(req, parentDef, parent, action.name, action.def);
    }
    throw armErrors.methodNotAllowed(req.method);
  }

  const def = sim.types.get(last.type);
  if (!def) throw unknownType(req, last);
  req.level = last;
  switch (req.method) {
    case 'GET':
      return getResource(req, def);
    case 'HEAD':
      return headResource(req, def);
    case 'PUT':
      return putResource(req, def);
    case 'PATCH':
      return patchResource(req, def);
    case 'DELETE':
      return deleteResource(req, def);
    default:
      throw armErrors.methodNotAllowed(req.method);
  }
}

function noRoute(req: ArmRequest): ArmError {
  return new ArmError(
    404,
    'NotFound',
    `No HTTP resource was found that matches the request URI '${req.sim.armUrl(req.path)}'.`,
  );
}

/**
 * A path inside a subscription the tenant does not have: SubscriptionNotFound, before anything
 * else.
 */
function checkSubscription(req: ArmRequest): void {
  const sub = subscriptionOf(req.path);
  if (sub !== undefined && !req.sim.subscriptions.get(sub))
    throw armErrors.subscriptionNotFound(sub);
}

function unknownType(req: ArmRequest, level: Level): ArmError {
  if (
    !req.sim.providers.known(level.namespace) &&
    !req.sim.types.namespaces().some((n) => sameId(n, level.namespace))
  ) {
    return armErrors.invalidResourceNamespace(level.namespace);
  }
  return armErrors.invalidResourceType(
    level.type.split('/').slice(1).join('/'),
    level.namespace,
    req.apiVersion,
  );
}

function findAction(def: ResourceTypeDef, name: string, method: 'GET' | 'POST') {
  for (const [n, a] of Object.entries(def.actions ?? {})) {
    if (n.toLowerCase() === name.toLowerCase() && (a.method ?? 'POST') === method)
      return { name: n, def: a };
  }
  return undefined;
}

/**
 * Authorization, provider registration, then existence of every simulated ancestor (in ARM's
 * order).
 */
function preflight(
  req: ArmRequest,
  action: string,
  scope: string,
  namespace: string,
  ancestorsOf: number,
): void {
  req.sim.rbac.require(req.caller, action, scope);
  req.sim.providers.require(req.subscriptionId, namespace);
  const levels = req.parsed!.levels;
  for (let k = 0; k < ancestorsOf; k++) {
    const lvl = levels[k];
    if (lvl.type === SUBSCRIPTION_TYPE) continue;
    if (lvl.type === RESOURCE_GROUP_TYPE) {
      const rg = req.sim.store.get(lvl.id);
      if (!rg) throw armErrors.resourceGroupNotFound(lvl.name ?? '');
      if (
        rg.properties?.provisioningState === 'Deleting' &&
        req.method !== 'GET' &&
        req.method !== 'HEAD'
      ) {
        throw new ArmError(
          409,
          'ResourceGroupBeingDeleted',
          `The resource group '${rg.name}' is in deprovisioning state and cannot perform ` +
            `this operation.`,
        );
      }
      continue;
    }
    // Scopes of types the simulator does not implement (e.g. a role assignment on a Cosmos DB
    // account) are taken as existing.
    if (req.sim.types.get(lvl.type) && !req.sim.store.has(lvl.id))
      throw armErrors.parentResourceNotFound(lvl.name ?? '');
  }
}

function viewOf(def: ResourceTypeDef, r: StoredResource, req: ArmRequest): unknown {
  return resourceView(req.sim, r, def, req);
}

/**
 * A resource as GET shows it: its type's view, or the stored document (types no module implements
 * too). Without a request (the state dump) as the GET with every `$expand` the type offers.
 */
export function resourceView(
  sim: SimServices,
  r: StoredResource,
  def = sim.types.get(r.type),
  req?: ArmRequest,
): unknown {
  return def?.view ? def.view(r, sim, req) : clone(r);
}

function getResource(req: ArmRequest, def: ResourceTypeDef): ArmResult {
  const levels = req.parsed!.levels;
  preflight(
    req,
    `${rbacType(def.type)}/read`,
    req.level!.id,
    req.level!.namespace,
    levels.length - 1,
  );
  const r = req.sim.store.get(req.level!.id);
  if (!r) throw notFound(req);
  return { status: 200, body: viewOf(def, r, req) };
}

/** HEAD (check existence): 204 when the resource exists, 404 without a body otherwise. */
function headResource(req: ArmRequest, def: ResourceTypeDef): ArmResult {
  const levels = req.parsed!.levels;
  preflight(
    req,
    `${rbacType(def.type)}/read`,
    req.level!.id,
    req.level!.namespace,
    levels.length - 1,
  );
  return { status: req.sim.store.has(req.level!.id) ? 204 : 404 };
}

function listResources(
  req: ArmRequest,
  def: ResourceTypeDef,
  level: Level,
  parent: Level | undefined,
): ArmResult {
  req.level = level;
  const levels = req.parsed!.levels;
  const parentId = parent ? parent.id : '/';
  preflight(req, `${rbacType(def.type)}/read`, parentId, level.namespace, levels.length - 1);
  const items = def.list
    ? def.list(req, parentId)
    : req.sim.store.list({ type: def.type, under: parentId });
  return paged(
    req,
    items.map((r) => viewOf(def, r, req)),
  );
}

async function putResource(req: ArmRequest, def: ResourceTypeDef): Promise<ArmResult> {
  const sim = req.sim;
  const levels = req.parsed!.levels;
  const level = req.level!;
  preflight(req, `${rbacType(def.type)}/write`, level.id, level.namespace, levels.length - 1);
  validateRequestBody({ req, def, operation: 'PUT' });
  const requiresLocation =
    def.requiresLocation ??
    (levels.length >= 2 &&
      !level.extension &&
      !level.type.slice(level.namespace.length + 1).includes('/'));
  if (
    requiresLocation &&
    (req.body.location === undefined || req.body.location === null || req.body.location === '')
  )
    throw armErrors.locationRequired();
  const existing = sim.store.get(level.id);
  await def.beforePut?.(req, existing);
  const doc = def.build ? def.build(req, existing) : buildResource(req, def, existing);
  const style = def.lro?.put;
  const tracksState = def.provisioningState !== false;
  if (tracksState)
    setProvisioningState(doc, style ? (existing ? 'Updating' : 'Creating') : 'Succeeded');
  const stored = sim.store.put(doc);
  def.onStored?.(stored, sim);
  if (!style) return { status: existing ? 200 : 201, body: viewOf(def, stored, req) };
  const status = style.status ?? (style.header === 'Location' ? 202 : existing ? 200 : 201);
  return startOperation(req, {
    kind: 'put',
    resource: stored,
    style,
    status,
    body: status === 202 ? undefined : viewOf(def, stored, req),
    run: async (op) => {
      if (def.provision) await def.provision(op, stored, sim);
      else await op.clock.sleep(style.durationMs ?? 20_000, op.signal);
    },
    onSettled: (op) => settleProvisioning(req, def, stored, op),
  }).result;
}

function settleProvisioning(
  req: ArmRequest,
  def: ResourceTypeDef,
  resource: StoredResource,
  op: Operation,
): void {
  const current = req.sim.store.get(resource.id);
  if (current !== resource || def.provisioningState === false) return;
  setProvisioningState(resource, op.status);
}

function patchResource(req: ArmRequest, def: ResourceTypeDef): ArmResult {
  const sim = req.sim;
  const levels = req.parsed!.levels;
  const level = req.level!;
  preflight(req, `${rbacType(def.type)}/write`, level.id, level.namespace, levels.length - 1);
  if (def.patch === false) throw armErrors.methodNotAllowed('PATCH');
  const existing = sim.store.get(level.id);
  if (!existing) throw notFound(req);
  validateRequestBody({ req, def, operation: 'PATCH' });
  def.beforePatch?.(req, existing);
  const b = req.body;
  const doc: StoredResource = clone(existing);
  if (b.tags !== undefined) doc.tags = clone(b.tags);
  for (const k of ['sku', 'plan', 'kind']) if (b[k] !== undefined) doc[k] = clone(b[k]);
  if (b.identity !== undefined)
    doc.identity = resolveIdentity(req, b.identity, existing, existing.id, def.type);
  if (b.properties !== undefined)
    doc.properties = mergePatch(existing.properties ?? {}, b.properties);
  const style = def.lro?.patch;
  if (def.provisioningState !== false) setProvisioningState(doc, style ? 'Updating' : 'Succeeded');
  const stored = sim.store.put(doc);
  def.onStored?.(stored, sim);
  if (!style) return { status: 200, body: viewOf(def, stored, req) };
  const status = style.status ?? (style.header === 'Location' ? 202 : 200);
  return startOperation(req, {
    kind: 'patch',
    resource: stored,
    style,
    status,
    body: status === 202 ? undefined : viewOf(def, stored, req),
    run: async (op) => {
      if (def.provision) await def.provision(op, stored, sim);
      else await op.clock.sleep(style.durationMs ?? 10_000, op.signal);
    },
    onSettled: (op) => settleProvisioning(req, def, stored, op),
  }).result;
}

async function deleteResource(req: ArmRequest, def: ResourceTypeDef): Promise<ArmResult> {
  const sim = req.sim;
  const levels = req.parsed!.levels;
  const level = req.level!;
  preflight(req, `${rbacType(def.type)}/delete`, level.id, level.namespace, levels.length - 1);
  const existing = sim.store.get(level.id);
  if (!existing) return { status: 204 };
  await def.beforeDelete?.(req, existing);
  const style = def.lro?.delete;
  if (!style) {
    removeResource(sim, existing.id);
    return { status: 200 };
  }
  if (def.provisioningState !== false) setProvisioningState(existing, 'Deleting');
  return startOperation(req, {
    kind: 'delete',
    resource: existing,
    style,
    status: style.status ?? 202,
    run: async (op) => {
      await op.clock.sleep(style.durationMs ?? 20_000, op.signal);
      removeResource(sim, existing.id);
    },
  }).result;
}

async function runAction(
  req: ArmRequest,
  def: ResourceTypeDef,
  resourceLevel: Level,
  name: string,
  action: NonNullable<ResourceTypeDef['actions']>[string],
): Promise<ArmResult> {
  const levels = req.parsed!.levels;
  req.level = resourceLevel;
  const method = action.method ?? 'POST';
  const rbacAction =
    action.rbacAction ?? `${rbacType(def.type)}/${name}/${method === 'GET' ? 'read' : 'action'}`;
  preflight(req, rbacAction, resourceLevel.id, resourceLevel.namespace, levels.length - 2);
  const resource = req.sim.store.get(resourceLevel.id);
  if (!resource) throw notFound(req);
  if (method === 'POST') validateRequestBody({ req, def, operation: 'POST', action: name });
  return action.run(req, resource);
}

async function pollOperation(req: ArmRequest, op: Operation): Promise<ArmResult> {
  const sim = req.sim;
  const retryAfter = sim.operations.retryAfter(op);
  // With Retry-After 0 clients poll at once; holding an unfinished poll briefly keeps the request
  // log readable.
  if (op.status === 'InProgress' && retryAfter === 0)
    await Promise.race([op.settled, sleepReal(250)]);
  const inProgress = op.status === 'InProgress';
  const headers: Record<string, string> = inProgress ? { 'Retry-After': String(retryAfter) } : {};
  const viaAsync = op.asyncUrlPath !== undefined && sameId(op.asyncUrlPath, req.path);
  if (viaAsync) {
    const body: any = {
      id: sim.armUrl(op.asyncUrlPath!).replace(/\/$/, ''),
      name: op.id,
      status: op.status,
      startTime: op.startTime,
    };
    if (op.endTime) body.endTime = op.endTime;
    if (op.percentComplete !== undefined) body.percentComplete = op.percentComplete;
    if (op.error) body.error = op.error.body().error;
    return { status: 200, body, headers };
  }
  if (inProgress) {
    headers.Location = sim.armUrl(
      `${op.locationUrlPath}?api-version=${encodeURIComponent(op.apiVersion)}`,
    );
    return { status: 202, headers };
  }
  if (op.status === 'Failed') throw op.error!;
  if (op.status === 'Canceled')
    throw new ArmError(409, 'OperationCanceled', 'The operation was canceled.');
  if (op.kind === 'put' || op.kind === 'patch') {
    const r = sim.store.get(op.resourceId);
    const def = r && sim.types.get(r.type);
    return r && def ? { status: 200, body: viewOf(def, r, req) } : { status: 204 };
  }
  if (op.kind === 'delete') return { status: 200 };
  return op.result === undefined ? { status: 204 } : { status: 200, body: op.result };
}
