// Azurite's blob service, in-process: in-memory, HTTPS with the simulator's certificate, `--oauth
// basic`, loose and without API version checks (the SDKs send newer x-ms-version values). Storage
// accounts created through ARM become Azurite accounts: the account store is pointed at the
// simulator's own account list instead of the AZURITE_ACCOUNTS environment variable.
import type * as http from 'http';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { sleepReal } from '../core/clock';
import type { FaultInjector } from '../core/faults';
import { trustingStorageHttpClient } from '../core/trustingHttpClient';

interface AzuriteAccount {
  name: string;
  key1: Buffer;
  key2?: Buffer;
}

interface AzuriteAccountStore {
  accounts: Record<string, AzuriteAccount>;
  refresh(): void;
}

interface AzuriteBlobServer {
  accountDataStore: AzuriteAccountStore;
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
  httpServer: http.Server;
}

/**
 * Loads Azurite (≈0.5-1 s, so the simulator does it while keys are generated). It ships no type
 * declarations for its internal classes; these are the ones its own CLI uses.
 */
export function loadAzurite(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  azurite ??= {
    BlobServer: require('azurite/dist/src/blob/BlobServer').default,
    BlobConfiguration: require('azurite/dist/src/blob/BlobConfiguration').default,
    MemoryExtentChunkStore: require('azurite/dist/src/common/persistence/MemoryExtentStore')
      .MemoryExtentChunkStore,
    DEFAULT_EXTENT_MEMORY_LIMIT: require('azurite/dist/src/common/persistence/MemoryExtentStore')
      .DEFAULT_EXTENT_MEMORY_LIMIT,
  };
}

let azurite:
  | {
      BlobServer: new (config: unknown) => AzuriteBlobServer;
      BlobConfiguration: new (...args: unknown[]) => unknown;
      MemoryExtentChunkStore: new (limit: number) => unknown;
      DEFAULT_EXTENT_MEMORY_LIMIT: number;
    }
  | undefined;

export interface StorageAccountKeys {
  key1: string;
  key2: string;
}

/** A request Azurite received: what the tests count uploads by (bytes: its Content-Length). */
export interface BlobRequest {
  method: string;
  /** Path and query, account first (`/gipart.../buildimage-artifacts/...?comp=block`). */
  path: string;
  bytes: number;
}

export class BlobStorage {
  private readonly accounts = new Map<string, StorageAccountKeys>();
  /** Every request Azurite received, in order (headers only: its body is left to Azurite). */
  readonly requests: BlobRequest[] = [];
  private server?: AzuriteBlobServer;
  private port = 0;

  constructor(
    private readonly caPem: string,
    private readonly faults?: FaultInjector,
  ) {}

  async start(certPath: string, keyPath: string): Promise<void> {
    loadAzurite();
    const { BlobServer, BlobConfiguration, MemoryExtentChunkStore, DEFAULT_EXTENT_MEMORY_LIMIT } =
      azurite!;
    // Positional arguments of BlobConfiguration: host, port, keepAliveTimeout, metadataDBPath,
    // extentDBPath, persistencePathArray, enableAccessLog, accessLogWriteStream, enableDebugLog,
    // debugLogFilePath, loose, skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl,
    // isMemoryPersistence, memoryStore.
    const config = new BlobConfiguration(
      '127.0.0.1',
      0,
      undefined,
      undefined,
      undefined,
      undefined,
      false,
      undefined,
      false,
      undefined,
      true,
      true,
      certPath,
      keyPath,
      '',
      'basic',
      false,
      true,
      new MemoryExtentChunkStore(DEFAULT_EXTENT_MEMORY_LIMIT),
    );
    const server = new BlobServer(config);
    const store = server.accountDataStore;
    store.refresh = () => {
      const out: Record<string, AzuriteAccount> = {};
      for (const [name, k] of this.accounts)
        out[name] = {
          name,
          key1: Buffer.from(k.key1, 'base64'),
          key2: Buffer.from(k.key2, 'base64'),
        };
      store.accounts = out;
    };
    // Faults first, so the journal below (in front of them) records faulted requests too.
    this.injectFaults(server.httpServer);
    server.httpServer.prependListener('request', (req) => {
      this.requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        bytes: Number(req.headers['content-length'] ?? 0) || 0,
      });
    });
    await server.start();
    const addr = server.httpServer.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    this.server = server;
  }

  /**
   * The scenario's `service: 'blob'` faults, before Azurite sees the request: a drop destroys the
   * connection while the client may still be sending its body (an upload interrupted), a status
   * answers the storage service's XML error.
   */
  private injectFaults(httpServer: http.Server): void {
    const faults = this.faults;
    if (!faults) return;
    const azuriteListeners = httpServer.listeners('request') as ((
      req: http.IncomingMessage,
      res: http.ServerResponse,
    ) => void)[];
    httpServer.removeAllListeners('request');
    httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const fault = faults.match(req.method ?? 'GET', req.url ?? '/', 'blob');
      if (!fault) return void azuriteListeners.forEach((l) => l(req, res));
      void (async () => {
        if (fault.delayMs) await sleepReal(fault.delayMs);
        if (fault.drop) return void req.socket.destroy();
        if (fault.status === undefined) return void azuriteListeners.forEach((l) => l(req, res));
        // The body is read to its end first, so the connection can serve the client's retry.
        await new Promise((done) => req.on('end', done).resume());
        const code = fault.status === 503 ? 'ServerBusy' : 'InternalError';
        res.writeHead(fault.status, {
          'Content-Type': 'application/xml',
          'x-ms-error-code': code,
          ...(fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {}),
        });
        res.end(
          `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code>` +
            `<Message>A fault injected by the scenario answered ${fault.status}.</Message></Error>`,
        );
      })();
    });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await this.server.close();
    await this.server.clean();
    this.server = undefined;
  }

  /** "https://127.0.0.1:{port}/{account}/" — Azurite's path-style account URL. */
  endpointFor(account: string): string {
    return `https://127.0.0.1:${this.port}/${account}/`;
  }

  get endpointTemplate(): string {
    return `https://127.0.0.1:${this.port}/{account}/`;
  }

  addAccount(name: string, keys: StorageAccountKeys): void {
    this.accounts.set(name, keys);
    this.server?.accountDataStore.refresh();
  }

  removeAccount(name: string): void {
    this.accounts.delete(name);
    this.server?.accountDataStore.refresh();
  }

  keys(name: string): StorageAccountKeys | undefined {
    return this.accounts.get(name);
  }

  /**
   * A client with the account key, for the simulator's own reads and writes (e.g. a build writing
   * logs).
   */
  client(account: string): BlobServiceClient {
    const keys = this.accounts.get(account);
    if (!keys) throw new Error(`storage account '${account}' is not known to Azurite`);
    return new BlobServiceClient(
      this.endpointFor(account),
      new StorageSharedKeyCredential(account, keys.key1),
      {
        httpClient: trustingStorageHttpClient(this.caPem),
        retryOptions: { maxTries: 1 },
      },
    );
  }
}
