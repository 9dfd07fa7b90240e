// Azurite's blob service, in-process: in-memory, HTTPS with the simulator's certificate, `--oauth
// basic`, loose and without API version checks (the SDKs send newer x-ms-version values). Storage
// accounts created through ARM become Azurite accounts: the account store is pointed at the
// simulator's own account list instead of the AZURITE_ACCOUNTS environment variable.
import type { IncomingMessage } from 'http';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
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
  httpServer: {
    address(): { port: number } | string | null;
    prependListener(event: 'request', listener: (req: IncomingMessage) => void): unknown;
  };
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

  constructor(private readonly caPem: string) {}

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
