// Assembles the simulator: certificates, the HTTPS endpoint (Resource Manager, Entra ID, Microsoft
// Graph, Azure DevOps, admin), the managed identity endpoint (HTTP), Azurite, the directory, and
// the resource modules.
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { SimClock, sleepReal } from './core/clock';
import { FaultInjector } from './core/faults';
import { failureDetail, readBody, sendJson } from './core/http';
import { SigningKey } from './core/jwt';
import { rsaKeyPair } from './core/keys';
import { makeClientCertificate, makeSimCertificates } from './core/tls';
import { ArmEndpoint } from './arm/endpoint';
import type { SimModule, SimServices } from './arm/framework';
import { ResourceTypeRegistry } from './arm/framework';
import { clone, normaliseLocation } from './arm/helpers';
import { Operations } from './arm/operations';
import { normalisePath } from './arm/paths';
import { Providers } from './arm/providers';
import { Rbac } from './arm/rbac';
import { resourceView } from './arm/router';
import { ResourceStore, StoredResource } from './arm/store';
import { Subscriptions } from './arm/subscriptions';
import { DevOpsEndpoint } from './devops/endpoint';
import { Directory, WINDOWS_365 } from './entra/directory';
import { EntraEndpoint } from './entra/endpoint';
import { TokenService } from './entra/tokens';
import { GRAPH_PATH_PREFIX, GraphEndpoint, graphAudiences } from './graph/endpoint';
import { GraphPermissions } from './graph/permissions';
import { MsiEndpoint } from './msi/endpoint';
import { BlobStorage, loadAzurite } from './storage/azurite';
import type {
  BuildRecord,
  RunningSim,
  Scenario,
  SimInfo,
  StateDump,
  StateResource,
  UserSessionEvent,
} from './types';

/** Fixed identities, so scenario files can name them. */
export const SIM_IDS = {
  tenantId: '8d2f0b7e-6a3c-4e51-9b1d-3c5e7f9a1b2c',
  tenantName: 'simtenant.onmicrosoft.com',
  subscriptionId: '1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f',
  subscriptionName: 'Simulated Subscription',
  sp: {
    clientId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    objectId: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
    secret: 'sim~Secret.0123456789abcdefghijklmnopqrstu',
  },
  spCert: {
    clientId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
    objectId: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
  },
  wif: {
    clientId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
    objectId: '9c0d1e2f-3a4b-4c5d-9e6f-7a8b9c0d1e2f',
  },
  msi: {
    clientId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a',
    objectId: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e',
  },
  /** Windows 365's service principal, in the directory by default (Graph). */
  windows365: { appId: WINDOWS_365.appId, objectId: WINDOWS_365.objectId },
};

const PUBLIC_ARM_AUDIENCES = [
  'https://management.core.windows.net/',
  'https://management.core.windows.net',
  'https://management.azure.com/',
  'https://management.azure.com',
];
const STORAGE_AUDIENCE =
  /^https:\/\/(storage\.azure\.com|[a-z0-9]+\.blob\.core\.windows\.net)\/?$/i;

/** Token resources compare without case and trailing slashes. */
function sameResource(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

function listen(server: http.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

// msal-node keeps the managed identity endpoint it first saw for the life of the process, so
// simulators started one after another in a process (tests) reuse the first one's MSI port when it
// is free.
let processMsiPort: number | undefined;

async function listenMsi(server: http.Server): Promise<number> {
  if (processMsiPort !== undefined) {
    try {
      return await listen(server, processMsiPort);
    } catch {
      // In use by a simulator still running: take any port (msal-node in this process will not
      // follow).
    }
  }
  const port = await listen(server);
  processMsiPort ??= port;
  return port;
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function createSimulator(
  modules: SimModule[],
  opts: { scenario?: Scenario; log?: (line: string) => void } = {},
): Promise<RunningSim> {
  const scenario: Scenario = opts.scenario ?? {};
  const log = opts.log ?? (() => undefined);
  // Scenario mistakes fail here, before anything listens.
  const subscriptions = new Subscriptions(scenario, {
    subscriptionId: SIM_IDS.subscriptionId,
    displayName: SIM_IDS.subscriptionName,
  });
  subscriptions.requireDeclared(scenario.resources ?? []);
  const graphPermissions = new GraphPermissions(scenario.graph?.withheld);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-sim-'));
  // Keys are generated on the thread pool while Azurite loads on this thread.
  const keys = Promise.all([
    rsaKeyPair('entra-tokens'),
    rsaKeyPair('devops-oidc'),
    makeClientCertificate('sim-spCert'),
    makeSimCertificates(dir),
  ]);
  loadAzurite();
  const [tokenPair, devopsPair, spCert, certs] = await keys;

  const httpsServer = https.createServer({
    cert: fs.readFileSync(certs.serverCertPath),
    key: certs.server.keyPem,
  });
  const msiServer = http.createServer();
  const [port, msiPort] = await Promise.all([listen(httpsServer), listenMsi(msiServer)]);
  const base = `https://127.0.0.1:${port}/`;
  const graphUrl = `${base}${GRAPH_PATH_PREFIX.slice(1)}/`;

  const faults = new FaultInjector(scenario.faults);
  const storage = new BlobStorage(certs.ca.certPem, faults);
  await storage.start(certs.serverCertPath, certs.serverKeyPath);

  const tokenKey = new SigningKey(tokenPair);
  const devopsKey = new SigningKey(devopsPair);
  const grants: Record<string, number> = {};
  const countGrant = (kind: string): void => {
    grants[kind] = (grants[kind] ?? 0) + 1;
  };
  const devops = new DevOpsEndpoint(devopsKey, countGrant);

  const info: SimInfo = {
    armUrl: base,
    authorityHost: base,
    graphUrl,
    tenantId: SIM_IDS.tenantId,
    subscriptionId: subscriptions.primary.subscriptionId,
    subscriptionName: subscriptions.primary.displayName,
    subscriptions: subscriptions.all.map((s) => ({
      subscriptionId: s.subscriptionId,
      displayName: s.displayName,
    })),
    collectionUri: `https://127.0.0.1:${port}${devops.collectionPath}`,
    oidcRequestUri: `https://127.0.0.1:${port}${devops.oidcRequestPath()}`,
    systemAccessToken: devops.systemAccessToken,
    msiAuthorityHost: `http://127.0.0.1:${msiPort}`,
    caCertPath: certs.caCertPath,
    blobEndpointTemplate: storage.endpointTemplate,
    principals: {
      sp: { ...SIM_IDS.sp },
      spCert: { ...SIM_IDS.spCert, certificatePem: spCert.certPem + spCert.keyPem },
      wif: { ...SIM_IDS.wif },
      msi: { ...SIM_IDS.msi },
    },
  };

  const registry = new ResourceTypeRegistry();
  for (const m of modules)
    m.register({ type: (d) => registry.type(d), route: (r) => registry.route(r) });
  const clock = new SimClock(scenario.timeScale ?? 0.01);
  const store = new ResourceStore();
  const directory = new Directory(store, { ...SIM_IDS.msi }, devops.issuer, SIM_IDS.tenantId);
  directory.addApp({
    clientId: SIM_IDS.sp.clientId,
    objectId: SIM_IDS.sp.objectId,
    secret: SIM_IDS.sp.secret,
    displayName: 'sim-sp',
  });
  directory.addApp({
    clientId: SIM_IDS.spCert.clientId,
    objectId: SIM_IDS.spCert.objectId,
    certificatePem: spCert.certPem,
    displayName: 'sim-sp-cert',
  });
  directory.addApp({
    clientId: SIM_IDS.wif.clientId,
    objectId: SIM_IDS.wif.objectId,
    federated: {},
    displayName: 'sim-wif',
  });

  // Graph tokens carry the application permissions the scenario does not withhold (the `roles`
  // claim).
  const isGraphAudience = (aud: string): boolean =>
    graphAudiences(graphUrl).some((a) => sameResource(a, aud));
  const tokens = new TokenService(SIM_IDS.tenantId, tokenKey, (subject, audience) =>
    isGraphAudience(audience) ? graphPermissions.rolesFor(subject) : undefined,
  );
  const builds: BuildRecord[] = [];
  const userSessionJournal: UserSessionEvent[] = [];
  const sim: SimServices = {
    info,
    scenario,
    subscriptions,
    clock,
    store,
    operations: new Operations(clock),
    rbac: new Rbac(
      store,
      !!scenario.rbac,
      clock.scaled((scenario.rbacPropagationSeconds ?? 0) * 1000),
    ),
    directory,
    tokens,
    builds,
    userSessionJournal,
    startedAt: Date.now(),
    storage,
    providers: new Providers(clock, registry.namespaces(), subscriptions.all, scenario.providers),
    types: registry,
    armUrl: (p) => base + p.replace(/^\/+/, ''),
    log,
  };
  try {
    for (const c of scenario.clients ?? []) directory.addApp(c);
    directory.addGraphObjects(scenario.graph);
    for (const m of modules) await m.start?.(sim);
    seedResources(sim, scenario.resources ?? []);
  } catch (e) {
    // A scenario the simulator can't build: nothing may stay listening.
    for (const m of [...modules].reverse()) await m.stop?.();
    await Promise.all([close(httpsServer), close(msiServer), storage.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const armAudiences = [base, base.replace(/\/$/, ''), ...PUBLIC_ARM_AUDIENCES];
  const knownResource = (r: string): boolean =>
    STORAGE_AUDIENCE.test(r) || isGraphAudience(r) || armAudiences.some((a) => sameResource(a, r));
  const arm = new ArmEndpoint(sim, tokens, armAudiences, base);
  const entra = new EntraEndpoint({
    authorityHost: base,
    tenantId: SIM_IDS.tenantId,
    tenantName: SIM_IDS.tenantName,
    directory,
    tokens,
    federatedIssuers: new Map([[devops.issuer, devopsKey]]),
    knownResource,
    countGrant,
  });
  const msi = new MsiEndpoint(directory, tokens, knownResource, countGrant);
  const graph = new GraphEndpoint({
    graphUrl,
    authorityHost: base,
    tenantId: SIM_IDS.tenantId,
    directory,
    tokens,
    pageSize: Math.max(1, scenario.pageSize ?? 100),
    log,
  });
  const state = (): StateDump => ({
    resources: store.all().map((r) => resourceView(sim, r) as StateResource),
    requests: clone(arm.requests),
    tokenGrants: { ...grants },
    issuedTokens: [...tokens.issued, ...devops.issued],
    authorizations: clone(sim.rbac.checks),
    builds: clone(builds),
    graphRequests: clone(graph.requests),
    graph: {
      servicePrincipals: clone(directory.servicePrincipals()),
      devices: clone(directory.devices),
    },
    userSessionJournal: clone(userSessionJournal),
    faultHits: faults.hits(),
    blobRequests: clone(storage.requests),
  });

  httpsServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    void (async () => {
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const p = normalisePath(q >= 0 ? rawUrl.slice(0, q) : rawUrl);
      const rawQuery = q >= 0 ? rawUrl.slice(q + 1) : '';
      const method = (req.method ?? 'GET').toUpperCase();
      if (p.startsWith('/_sim/') && method === 'GET') {
        if (p === '/_sim/info') return sendJson(res, 200, info);
        if (p === '/_sim/state') return sendJson(res, 200, state());
      }
      const body = await readBody(req);
      const pathAndQuery = rawQuery ? `${p}?${rawQuery}` : p;
      const fault = faults.match(method, pathAndQuery);
      if (fault?.delayMs) await sleepReal(fault.delayMs);
      const isDevops = p.toLowerCase().startsWith(devops.collectionPath.toLowerCase());
      const isGraph = GraphEndpoint.owns(p);
      const isEntra =
        !isDevops &&
        !isGraph &&
        /^\/[^/]+\/(v2\.0\/|\.well-known|discovery\/|oauth2\/)/i.test(p) &&
        !/^\/(subscriptions|providers)\//i.test(p);
      if (fault?.drop) {
        if (isGraph) graph.recordDropped(method, p, rawQuery);
        else if (!isDevops && !isEntra) arm.recordDropped(method, pathAndQuery, body);
        req.socket.destroy();
        return;
      }
      if ((isDevops || isEntra) && fault?.status !== undefined) {
        return sendJson(
          res,
          fault.status,
          {
            error: 'temporarily_unavailable',
            error_description: `A fault injected by the scenario answered ${fault.status}.`,
          },
          fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {},
        );
      }
      if (isGraph) return graph.handle(req, res, p, rawQuery, fault);
      if (isEntra && entra.handle(req, res, p, body)) return;
      if (isDevops && devops.handle(req, res, p, new URLSearchParams(rawQuery))) return;
      await arm.handle(req, res, p, rawQuery, body, fault);
    })().catch((e) => {
      log(`simulator: request ${req.method} ${req.url} failed: ${failureDetail(e)}`);
      if (!res.headersSent)
        sendJson(res, 500, {
          error: {
            code: 'InternalServerError',
            message: 'The simulator failed to answer this request.',
          },
        });
    });
  });

  msiServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const p = normalisePath(q >= 0 ? rawUrl.slice(0, q) : rawUrl);
    const query = new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '');
    void (async () => {
      const fault = faults.match(req.method ?? 'GET', q >= 0 ? `${p}?${query.toString()}` : p);
      if (fault?.delayMs) await sleepReal(fault.delayMs);
      if (fault?.drop) return void req.socket.destroy();
      if (fault?.status !== undefined)
        return sendJson(res, fault.status, {
          error: 'temporarily_unavailable',
          error_description: `A fault injected by the scenario answered ${fault.status}.`,
        });
      msi.handle(req, res, p, query);
    })();
  });

  let stopped = false;
  return {
    info,
    state,
    async stop() {
      if (stopped) return;
      stopped = true;
      sim.operations.drain();
      for (const m of [...modules].reverse()) await m.stop?.();
      await Promise.all([close(httpsServer), close(msiServer), storage.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Scenario resources (state-dump shape) are created as they are, completed by their type's seed
 * hook.
 */
function seedResources(sim: SimServices, resources: any[]): void {
  for (const raw of resources) {
    if (!raw || typeof raw.id !== 'string' || typeof raw.type !== 'string') {
      throw new Error(`scenario resource needs "id" and "type": ${JSON.stringify(raw)}`);
    }
    const def = sim.types.get(raw.type);
    if (!def)
      sim.log(
        `simulator: scenario resource ${raw.id} has type ${raw.type}, which no module ` +
          `implements; it is stored as given`,
      );
    let doc: StoredResource = clone(raw);
    doc.id = normalisePath(doc.id);
    doc.name = doc.name ?? doc.id.split('/').pop()!;
    if (typeof doc.location === 'string') doc.location = normaliseLocation(doc.location);
    if (def) {
      doc.type = def.type;
      if (def.provisioningState !== false)
        doc.properties = { provisioningState: 'Succeeded', ...(doc.properties ?? {}) };
      if (def.seed) doc = def.seed(doc, sim);
    }
    const stored = sim.store.put(doc);
    def?.onStored?.(stored, sim);
  }
}
