// The simulator's outside contract (see /work/briefs/sim-api.md). Other code depends on these
// shapes.

export interface SimInfo {
  armUrl: string;
  authorityHost: string;
  /**
   * Microsoft Graph (`https://127.0.0.1:<port>/graph/`): `<graphUrl>v1.0/...`; token scope
   * `<graphUrl>.default`.
   */
  graphUrl: string;
  tenantId: string;
  /**
   * The first subscription of the scenario (SIM_IDS' one by default): the one clients use unless
   * told otherwise.
   */
  subscriptionId: string;
  subscriptionName: string;
  /** Every subscription of the tenant, the default one first. */
  subscriptions: SubscriptionSpec[];
  collectionUri: string;
  oidcRequestUri: string;
  systemAccessToken: string;
  msiAuthorityHost: string;
  caCertPath: string;
  blobEndpointTemplate: string;
  principals: {
    sp: { clientId: string; objectId: string; secret: string };
    spCert: { clientId: string; objectId: string; certificatePem: string };
    wif: { clientId: string; objectId: string };
    msi: { clientId: string; objectId: string };
  };
}

export interface StateResource {
  id: string;
  type: string;
  name: string;
  location?: string;
  properties?: any;
  [k: string]: any;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  body?: any;
  /** When the request arrived (epoch ms; Resource Manager's requests): rates, Retry-After gaps. */
  at?: number;
  /**
   * The client's `x-ms-client-request-id`, when sent: the Azure SDKs keep it across a request's own
   * retries, so it tells a retry from another request to the same URL.
   */
  clientRequestId?: string;
}

export interface StateDump {
  /** Every resource as a GET returns it (the type's view: fields computed on read included). */
  resources: StateResource[];
  /** Resource Manager requests (Graph's are in graphRequests). */
  requests: RecordedRequest[];
  /**
   * Token grants answered, by kind (client_secret, client_certificate, client_assertion,
   * managed_identity, devops_oidc).
   */
  tokenGrants: Record<string, number>;
  /** Every token the simulator issued (Entra, managed identity, DevOps OIDC), in issue order. */
  issuedTokens: string[];
  /**
   * Every action ARM checked for a request's caller, in order, with or without `rbac` (`allowed`
   * is what enforcement would answer): the actions a run really needs.
   */
  authorizations: { principalId: string; action: string; scope: string; allowed: boolean }[];
  /**
   * Every image template run so far, with the Packer log it wrote; kept after the template is
   * deleted.
   */
  builds: BuildRecord[];
  /**
   * Microsoft Graph requests, in the shape of `requests` (path relative to graphUrl, e.g.
   * `/v1.0/devices?...`).
   */
  graphRequests: RecordedRequest[];
  /** The directory objects Graph serves, as Graph returns them. */
  graph: { servicePrincipals: GraphServicePrincipal[]; devices: GraphDevice[] };
  /** What happened to AVD user sessions (messages, disconnects, sign-outs, ends), in order. */
  userSessionJournal: UserSessionEvent[];
  /** Azurite's requests, in order: method, path (account first), bytes (its Content-Length). */
  blobRequests: { method: string; path: string; bytes: number }[];
  /** How many requests each of the scenario's faults hit, in the scenario's order. */
  faultHits?: number[];
}

/** One event of an AVD user session, as `state().userSessionJournal` records it. */
export interface UserSessionEvent {
  /** Real time of the event (ISO 8601). */
  at: string;
  /** Nominal minutes since the scenario started (real time / timeScale). */
  nominalMinutes: number;
  /** Host pool name. */
  hostPool: string;
  /** Session host name (as in its id: the computer name or FQDN). */
  sessionHost: string;
  /** The user session's name (its id's last segment). */
  sessionId: string;
  userPrincipalName: string;
  /** `ended`: the session ended by itself (`endsAfterMinutes` / `endsMinutesAfterMessage`). */
  event: 'message' | 'disconnect' | 'signOut' | 'ended';
  messageTitle?: string;
  messageBody?: string;
}

/** Scenario key `sessionHostBehaviour`: what a session host made by the AVD agent becomes. */
export interface SessionHostBehaviourSpec {
  /** Regular expression (case-insensitive) on the VM's name. */
  vmName: string;
  status: 'Available' | 'Unavailable' | 'UpgradeFailed' | 'NeedsAssistance';
  /** Nominal minutes after the host registered; default 4. */
  afterMinutes?: number;
}

/**
 * Scenario key `sessionHostUpdateBehaviour`: what a simulated AVD session host update (preview) of
 * a pool does besides succeeding. Batches count from 1 (the first, single host), then 2, 3... (of
 * `maxVmsRemoved` hosts each).
 */
export interface SessionHostUpdateBehaviourSpec {
  /** Regular expression (case-insensitive) on the host pool's name; absent: every pool. */
  hostPool?: string;
  /** This batch fails: the update reads `Error` (with `error`) until `Retry` or `Cancel`. */
  failBatch?: number;
  /** How many attempts of that batch fail; default 1 (the first Retry succeeds). */
  failTimes?: number;
  /** The update's error; default Compute's AllocationFailed for the batch's first new VM. */
  error?: { code: string; message: string };
  /** The update pauses itself once this many batches are done (`Paused` until `Resume`). */
  pauseAfterBatch?: number;
}

export interface SubscriptionSpec {
  subscriptionId: string;
  displayName: string;
  /** Registration state by namespace in this subscription, over the scenario's `providers`. */
  providers?: Record<string, 'Registered' | 'NotRegistered'>;
}

/** A service principal as Graph returns it (the fields the simulator keeps). */
export interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  /** Application, ManagedIdentity, Legacy or SocialIdp. */
  servicePrincipalType: string;
  accountEnabled?: boolean;
  appOwnerOrganizationId?: string | null;
  servicePrincipalNames?: string[];
  [k: string]: unknown;
}

/** A device as Graph returns it. */
export interface GraphDevice {
  /** Object id (what /devices/{id} takes). */
  id: string;
  /** The device's own id (Entra device id). */
  deviceId: string;
  displayName: string;
  operatingSystem?: string;
  operatingSystemVersion?: string;
  /** AzureAd (Entra joined), ServerAd (hybrid joined) or Workplace (registered). */
  trustType?: string;
  accountEnabled?: boolean;
  [k: string]: unknown;
}

/** Directory content and application permissions of Microsoft Graph. */
export interface GraphScenario {
  /** Added to the directory's service principals (its apps, managed identities and Windows 365). */
  servicePrincipals?: Array<
    Partial<GraphServicePrincipal> & { appId: string; displayName: string }
  >;
  devices?: Array<Partial<GraphDevice> & { displayName: string }>;
  /**
   * Application permissions the tenant has not granted: to one principal (object id or client id)
   * or, without `principal`, to every caller. Everything else is granted; withholding a permission
   * also withholds the ones that include it (Directory.Read.All includes Device.Read.All...).
   */
  withheld?: Array<{ principal?: string; permission: string }>;
}

/**
 * One run of an image template as the simulator made it (not an Azure resource: what a test checks
 * the task against).
 */
export interface BuildRecord {
  templateId: string;
  runId: string;
  /** lastRunStatus.runState when the record was read (Running until the run ends). */
  runState: string;
  /** customization.log's lines as written, in order (also while the run is still writing them). */
  log: string[];
}

export interface Fault {
  method?: string;
  /** Regular expression tested against the normalised path plus the raw query ("?..."). */
  path: string;
  status?: number;
  /** How many matching requests the fault hits; default 1. */
  times?: number;
  retryAfter?: number;
  delayMs?: number;
  drop?: boolean;
  /** Matching requests let through before the fault hits (default 0: the first one is hit). */
  skip?: number;
  /**
   * The request is carried out, then its connection destroyed before the answer (recorded with
   * the status it would have had): the client can't tell whether it happened.
   */
  dropAfter?: boolean;
  /**
   * `blob`: the fault applies to Azurite's requests only (path `/{account}/{container}/{blob}`
   * plus the raw query); without it, to every other endpoint and never to Azurite.
   */
  service?: 'blob';
}

export interface ClientSpec {
  clientId: string;
  /** Defaults to the client id. */
  objectId?: string;
  displayName?: string;
  secret?: string;
  /**
   * Certificate (PEM, the private key may be included); the client may sign assertions with its
   * key.
   */
  certificatePem?: string;
  /**
   * Federated credential: accepts DevOps OIDC assertions. Subject defaults to any `sc://simorg/...`
   * subject.
   */
  federated?: { issuer?: string; subject?: string; audience?: string };
}

export interface Scenario {
  resources?: any[];
  faults?: Fault[];
  rbac?: boolean;
  clients?: ClientSpec[];
  /**
   * Fraction of real time simulated durations take; default 0.01 (a 10-minute operation takes 6 s).
   */
  timeScale?: number;
  /** Items per page of list operations; default 100. */
  pageSize?: number;
  /**
   * Resource provider registration state by namespace, e.g. {"Microsoft.VirtualMachineImages":
   * "NotRegistered"}.
   */
  providers?: Record<string, 'Registered' | 'NotRegistered'>;
  /**
   * The tenant's subscriptions; default one, SIM_IDS' (`Simulated Subscription`). The first is
   * `info.subscriptionId`.
   */
  subscriptions?: Array<{
    subscriptionId: string;
    displayName?: string;
    providers?: Record<string, 'Registered' | 'NotRegistered'>;
  }>;
  /**
   * Nominal seconds before a role assignment made through the API takes effect (scaled by
   * timeScale); default 0.
   */
  rbacPropagationSeconds?: number;
  graph?: GraphScenario;
  /**
   * What session hosts registered by the simulated AVD agent become (first match by VM name);
   * default Available after 4 nominal minutes. Before that they are Unavailable.
   */
  sessionHostBehaviour?: SessionHostBehaviourSpec[];
  /**
   * Failures and pauses of simulated AVD session host updates (first match by host pool name); see
   * README "AVD session host update (preview)".
   */
  sessionHostUpdateBehaviour?: SessionHostUpdateBehaviourSpec[];
  /**
   * Dev Box skus (`GET .../providers/Microsoft.DevCenter/skus`), replacing the default list:
   * `[{ name, tier?, locations?, capabilities? }]` (see domain/devCenterSkus.ts).
   */
  devCenterSkus?: Array<{
    name: string;
    tier?: string;
    locations?: string[];
    capabilities?: Array<{ name: string; value: string }>;
  }>;
  [k: string]: any;
}

export interface RunningSim {
  info: SimInfo;
  state(): StateDump;
  stop(): Promise<void>;
}
