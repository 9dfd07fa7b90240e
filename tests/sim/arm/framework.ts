// The plug-in API of the simulated Resource Manager. A module registers resource types (generic
// GET/PUT/PATCH/DELETE/list, optional long-running operations, actions) and custom routes; see
// README.md.
import type { IncomingHttpHeaders } from 'http';
import type { SimClock } from '../core/clock';
import type { BuildRecord, Scenario, SimInfo, UserSessionEvent } from '../types';
import type { Directory } from '../entra/directory';
import type { TokenService } from '../entra/tokens';
import type { BlobStorage } from '../storage/azurite';
import type { LroStyle, OperationHandle, Operations } from './operations';
import type { Level, ParsedPath } from './paths';
import type { Principal, Rbac } from './rbac';
import type { ResourceStore, StoredResource } from './store';
import type { Providers } from './providers';
import type { Subscriptions } from './subscriptions';

/** Everything a module can reach while the simulator runs. */
export interface SimServices {
  info: SimInfo;
  scenario: Scenario;
  /** The tenant's subscriptions (the scenario's, or SIM_IDS' one). */
  subscriptions: Subscriptions;
  clock: SimClock;
  store: ResourceStore;
  operations: Operations;
  rbac: Rbac;
  directory: Directory;
  /**
   * Entra's token issuer: what a simulated VM's metadata endpoint hands out, and what data planes
   * verify.
   */
  tokens: TokenService;
  /**
   * The journal of image template runs that state() reports (the image builder module appends to
   * it).
   */
  builds: BuildRecord[];
  /** AVD user session events that state() reports (the desktop virtualization module appends). */
  userSessionJournal: UserSessionEvent[];
  /** Real epoch ms when the simulator started (nominal times of the scenario count from it). */
  startedAt: number;
  /**
   * Azurite: accounts and a BlobServiceClient per account for writing blobs from the simulator
   * side.
   */
  storage: BlobStorage;
  providers: Providers;
  types: ResourceTypeRegistry;
  /** Absolute URL on the ARM endpoint for a path ("/subscriptions/..."). */
  armUrl(pathAndQuery: string): string;
  log(line: string): void;
}

/** One ARM request as a handler sees it. */
export interface ArmRequest {
  sim: SimServices;
  method: string;
  /** Normalised path (no query). */
  path: string;
  query: URLSearchParams;
  apiVersion: string;
  /** Parsed JSON body (undefined when empty). */
  body: any;
  headers: IncomingHttpHeaders;
  caller: Principal;
  /**
   * The subscription the path names; the default one (info.subscriptionId) for tenant-level paths.
   */
  subscriptionId: string;
  resourceGroup?: string;
  /** Resource levels of the path; undefined for custom routes that are not resource paths. */
  parsed?: ParsedPath;
  /** The level the request targets (for lists and actions: the open, unnamed level). */
  level?: Level;
}

export interface ArmResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ActionDef {
  /** HTTP method; default POST. GET actions are things like container logs. */
  method?: 'POST' | 'GET';
  /** Authorization action; default "{type}/{name}/action" (POST) or "{type}/{name}/read" (GET). */
  rbacAction?: string;
  run(req: ArmRequest, resource: StoredResource): ArmResult | Promise<ArmResult>;
}

export interface ResourceTypeDef {
  /** Full type with canonical casing, e.g. "Microsoft.ManagedIdentity/userAssignedIdentities". */
  type: string;
  /** Api-versions reported by GET /providers/{ns} (any well-formed version is accepted). */
  apiVersions?: string[];
  /**
   * PUT needs `location`; default true for top-level types, false for nested and extension types.
   */
  requiresLocation?: boolean;
  /** Body fields required on PUT (dotted paths) until the contract validator checks the type. */
  requiredOnPut?: string[];
  /** Long-running verbs; a verb not listed answers synchronously. */
  lro?: { put?: LroStyle; patch?: LroStyle; delete?: LroStyle };
  /** PATCH allowed (default true). */
  patch?: boolean;
  /** Keep properties.provisioningState (default true). */
  provisioningState?: boolean;
  /**
   * Extra checks before a PUT is accepted (throw ArmError), e.g. the Conflict of a PUT on an
   * existing image template.
   */
  beforePut?(req: ArmRequest, existing: StoredResource | undefined): void | Promise<void>;
  /** Extra checks before a PATCH is applied (throw ArmError). */
  beforePatch?(req: ArmRequest, existing: StoredResource): void;
  /** Builds the stored document from the PUT body; default `buildResource`. */
  build?(req: ArmRequest, existing: StoredResource | undefined): StoredResource;
  /**
   * The asynchronous part of a long-running PUT; default waits lro.put.durationMs. Throw ArmError
   * to fail.
   */
  provision?(op: OperationHandle, resource: StoredResource, sim: SimServices): Promise<void>;
  /** After a resource is stored by PUT/PATCH or created from the scenario. */
  onStored?(resource: StoredResource, sim: SimServices): void;
  /** Before DELETE is accepted (throw ArmError to refuse). */
  beforeDelete?(req: ArmRequest, resource: StoredResource): void | Promise<void>;
  /** After a resource is removed (also when its parent or group is deleted). */
  onDeleted?(resource: StoredResource, sim: SimServices): void;
  /** Completes a scenario resource (server-generated fields); default: as given. */
  seed?(resource: StoredResource, sim: SimServices): StoredResource;
  /**
   * GET body; default the stored document. Also what the state dump shows, so compute what GET
   * computes from `sim`. `req` only for request options such as `$expand`; it is absent for the
   * state dump, which shows what the fullest GET would (every `$expand` the type offers).
   */
  view?(resource: StoredResource, sim: SimServices, req?: ArmRequest): unknown;
  /** Items of a list request; default every resource of the type below the parent. */
  list?(req: ArmRequest, parentId: string): StoredResource[];
  /** POST (or GET) .../{resource}/{action}. */
  actions?: Record<string, ActionDef>;
}

export interface CustomRoute {
  method: string;
  /** Tested against the normalised path (no query), case-insensitively. */
  pattern: RegExp;
  /** Namespace whose registration the route requires, if any. */
  namespace?: string;
  /** The authorization action and scope, or undefined when any authenticated caller may. */
  authorize?(
    req: ArmRequest,
    match: RegExpExecArray,
  ): { action: string; scope: string } | undefined;
  handle(req: ArmRequest, match: RegExpExecArray): ArmResult | Promise<ArmResult>;
}

export class ResourceTypeRegistry {
  private readonly types = new Map<string, ResourceTypeDef>();
  readonly routes: CustomRoute[] = [];

  type(def: ResourceTypeDef): void {
    this.types.set(def.type.toLowerCase(), def);
  }

  route(route: CustomRoute): void {
    this.routes.push(route);
  }

  get(type: string): ResourceTypeDef | undefined {
    return this.types.get(type.toLowerCase());
  }

  all(): ResourceTypeDef[] {
    return [...this.types.values()];
  }

  /** Namespaces with at least one registered type. */
  namespaces(): string[] {
    return [...new Set(this.all().map((d) => d.type.split('/')[0]))];
  }
}

/** What a module gets to register its types and routes. */
export interface Registrar {
  type(def: ResourceTypeDef): void;
  route(route: CustomRoute): void;
}

/** A simulator module: a set of resource types and routes, plus optional start/stop. */
export interface SimModule {
  name: string;
  register(r: Registrar): void;
  /** Called once the simulator's services exist, before scenario resources are created. */
  start?(sim: SimServices): void | Promise<void>;
  stop?(): void | Promise<void>;
}
