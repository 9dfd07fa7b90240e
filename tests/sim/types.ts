// The simulator's outside contract (see /work/briefs/sim-api.md). Other code depends on these shapes.

export interface SimInfo {
  armUrl: string;
  authorityHost: string;
  tenantId: string;
  subscriptionId: string;
  subscriptionName: string;
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
}

export interface StateDump {
  resources: StateResource[];
  requests: RecordedRequest[];
  /** Token grants answered, by kind (client_secret, client_certificate, client_assertion, managed_identity, devops_oidc). */
  tokenGrants: Record<string, number>;
  /** Every image template run so far, with the Packer log it wrote; kept after the template is deleted. */
  builds: BuildRecord[];
}

/** One run of an image template as the simulator made it (not an Azure resource: what a test checks the task against). */
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
}

export interface ClientSpec {
  clientId: string;
  /** Defaults to the client id. */
  objectId?: string;
  displayName?: string;
  secret?: string;
  /** Certificate (PEM, the private key may be included); the client may sign assertions with its key. */
  certificatePem?: string;
  /** Federated credential: accepts DevOps OIDC assertions. Subject defaults to any `sc://simorg/...` subject. */
  federated?: { issuer?: string; subject?: string; audience?: string };
}

export interface Scenario {
  resources?: any[];
  faults?: Fault[];
  rbac?: boolean;
  clients?: ClientSpec[];
  /** Fraction of real time simulated durations take; default 0.01 (a 10-minute operation takes 6 s). */
  timeScale?: number;
  /** Items per page of list operations; default 100. */
  pageSize?: number;
  /** Resource provider registration state by namespace, e.g. {"Microsoft.VirtualMachineImages": "NotRegistered"}. */
  providers?: Record<string, 'Registered' | 'NotRegistered'>;
  [k: string]: any;
}

export interface RunningSim {
  info: SimInfo;
  state(): StateDump;
  stop(): Promise<void>;
}
