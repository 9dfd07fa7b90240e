/**
 * Where the live log is read from in Azure: the build container
 * (`vmimagebuilder-build-container-*`) in the staging resource group, through the ACI logs API, and
 * `packerlogs/<runId>/customization.log` in the staging storage account, through ranged GETs with a
 * read-only SAS made from the account key (the connection needs listKeys, which Contributor has; no
 * data-plane role). The SAS is never printed.
 */
import {
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import * as storageBlob from '@azure/storage-blob';
import { AzureContext } from '../../azure/clients';
import { describeArmError } from '../../azure/armErrors';
import { storageClientOptions } from '../../azure/network';
import { isNotFound } from '../../azure/notFound';
import { Logger } from '../../core/logger';
import { BuildClients } from '../clients';
import { BlobLogReader, ContainerLogReader } from './liveLog';

const CONTAINER_GROUP = /^vmimagebuilder-build-container-/i;

/** The build container of a staging group, found once it exists. */
export class BuildContainer implements ContainerLogReader {
  private found?: { group: string; container: string };

  constructor(
    private readonly clients: BuildClients,
    private readonly stagingGroup: string,
    private readonly signal: AbortSignal,
  ) {}

  async read(tail: number | undefined): Promise<string | undefined> {
    this.found ??= await this.find();
    if (!this.found) return undefined;
    try {
      const r = await this.clients.aci.containers.listLogs(
        this.stagingGroup,
        this.found.group,
        this.found.container,
        { tail, timestamps: true, abortSignal: this.signal },
      );
      return r.content ?? '';
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.found = undefined;
      return undefined;
    }
  }

  private async find(): Promise<{ group: string; container: string } | undefined> {
    try {
      const groups = [];
      for await (const g of this.clients.aci.containerGroups.listByResourceGroup(
        this.stagingGroup,
        { abortSignal: this.signal },
      )) {
        if (g.name && CONTAINER_GROUP.test(g.name)) groups.push(g);
      }
      // Only one build runs per template; a running group wins over a leftover one.
      const g =
        groups.find((x) => x.instanceView?.state === 'Running') ?? groups[groups.length - 1];
      const container = g?.containers?.[0]?.name;
      return g?.name && container ? { group: g.name, container } : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/**
 * The staging account's `packerlogs` container, read with a read/list SAS made from the account
 * key.
 */
export interface StagingLogs {
  /** customization.log of a run. */
  customizationLog(runId: string): BlobLogReader;
  /**
   * The run whose customization.log was written last, not before `since`: the run id when no log
   * told it.
   */
  newestRunId(since?: Date): Promise<string | undefined>;
}

/** The staging account's logs, or undefined when the staging account can't be found or read. */
export async function stagingLogs(
  azure: AzureContext,
  clients: BuildClients,
  stagingGroup: string,
  log: Logger,
  signal: AbortSignal,
): Promise<StagingLogs | undefined> {
  const accounts = [];
  try {
    for await (const a of clients.storage.storageAccounts.listByResourceGroup(stagingGroup, {
      abortSignal: signal,
    }))
      accounts.push(a);
  } catch (err) {
    if (isNotFound(err) || signal.aborted) return undefined;
    // The build's result does not depend on its log: a refused list costs the log, not the run.
    log.warn(
      `The build log in staging resource group ${stagingGroup} can't be read: ` +
        `${describeArmError(err)}`,
    );
    return undefined;
  }
  const account = accounts.find((a) => a.tags?.createdBy === 'AzureVMImageBuilder') ?? accounts[0];
  const endpoint = account?.primaryEndpoints?.blob;
  if (!account?.name || !endpoint) return undefined;
  let key: string | undefined;
  try {
    key = (
      await clients.storage.storageAccounts.listKeys(stagingGroup, account.name, {
        abortSignal: signal,
      })
    ).keys?.[0]?.value;
  } catch (err) {
    log.warn(
      `The build log in storage account ${account.name} can't be read: listing its keys ` +
        `was refused (${(err as Error).message.split('\n')[0]}). It stays at ` +
        `${endpoint}packerlogs/<run id>/customization.log.`,
    );
    return undefined;
  }
  if (!key) return undefined;
  log.secret(key);
  const {
    AccountSASPermissions,
    AccountSASResourceTypes,
    AccountSASServices,
    ContainerClient,
    generateAccountSASQueryParameters,
    SASProtocol,
    StorageSharedKeyCredential,
  } = storageBlob;
  const sas = generateAccountSASQueryParameters(
    {
      permissions: AccountSASPermissions.parse('rl'),
      services: AccountSASServices.parse('b').toString(),
      resourceTypes: AccountSASResourceTypes.parse('co').toString(),
      protocol: SASProtocol.Https,
      expiresOn: new Date(Date.now() + 3_600_000),
    },
    new StorageSharedKeyCredential(account.name, key),
  ).toString();
  log.secret(sas);
  const base = `${endpoint.replace(/\/?$/, '/')}packerlogs`;
  const pipeline = createEmptyPipeline();
  if (azure.policy) pipeline.addPolicy(azure.policy);
  const http = createDefaultHttpClient();
  return {
    customizationLog(runId: string): BlobLogReader {
      const url = `${base}/${runId}/customization.log?${sas}`;
      return {
        async read(offset: number): Promise<Buffer | undefined> {
          const request = createPipelineRequest({
            url,
            method: 'GET',
            abortSignal: signal,
            headers: createHttpHeaders({
              'x-ms-version': '2023-11-03',
              ...(offset > 0 ? { 'x-ms-range': `bytes=${offset}-` } : {}),
            }),
          });
          const response = await pipeline.sendRequest(http, request);
          if (response.status === 404) return undefined;
          if (response.status === 416) return Buffer.alloc(0);
          if (response.status >= 400)
            throw new Error(
              `reading the build log failed: the blob service answered ${response.status}`,
            );
          return Buffer.from(response.bodyAsText ?? '', 'utf8');
        },
      };
    },
    async newestRunId(since?: Date): Promise<string | undefined> {
      const container = new ContainerClient(`${base}?${sas}`, undefined, {
        ...storageClientOptions(azure.network),
      });
      let newest: { runId: string; at: number } | undefined;
      try {
        for await (const b of container.listBlobsFlat({ abortSignal: signal })) {
          const m = /^([^/]+)\/customization\.log$/.exec(b.name);
          const at = b.properties.lastModified?.getTime() ?? 0;
          // A staging group outlives one run (reruns, attach): a log older than this run is another
          // run's.
          if (m && (!since || at >= since.getTime() - 1000) && (!newest || at > newest.at))
            newest = { runId: m[1], at };
        }
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
      return newest?.runId;
    },
  };
}
