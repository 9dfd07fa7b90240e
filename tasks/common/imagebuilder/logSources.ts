/**
 * Where the live log is read from in Azure: the build container (`vmimagebuilder-build-container-*`)
 * in the staging resource group, through the ACI logs API, and `packerlogs/<runId>/customization.log`
 * in the staging storage account, through ranged GETs with a read-only SAS made from the account key
 * (the connection needs listKeys, which Contributor has; no data-plane role). The SAS is never printed.
 */
import { createDefaultHttpClient, createEmptyPipeline, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import * as storageBlob from '@azure/storage-blob';
import { AzureContext } from '../azure/clients';
import { isNotFound } from '../azure/notFound';
import { Logger } from '../core/logger';
import { BuildClients } from './clients';
import { BlobLogReader, ContainerLogReader } from './liveLog';

const CONTAINER_GROUP = /^vmimagebuilder-build-container-/i;

/** The build container of a staging group, found once it exists. */
export class BuildContainer implements ContainerLogReader {
  private found?: { group: string; container: string };

  constructor(private readonly clients: BuildClients, private readonly stagingGroup: string, private readonly signal: AbortSignal) {}

  async read(tail: number | undefined): Promise<string | undefined> {
    this.found ??= await this.find();
    if (!this.found) return undefined;
    try {
      const r = await this.clients.aci.containers.listLogs(this.stagingGroup, this.found.group, this.found.container, { tail, timestamps: true, abortSignal: this.signal });
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
      for await (const g of this.clients.aci.containerGroups.listByResourceGroup(this.stagingGroup, { abortSignal: this.signal })) {
        if (g.name && CONTAINER_GROUP.test(g.name)) groups.push(g);
      }
      // Only one build runs per template; a running group wins over a leftover one.
      const g = groups.find((x) => x.instanceView?.state === 'Running') ?? groups[groups.length - 1];
      const container = g?.containers?.[0]?.name;
      return g?.name && container ? { group: g.name, container } : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** customization.log of a run, or undefined when the staging account can't be found or read. */
export async function customizationLog(azure: AzureContext, clients: BuildClients, stagingGroup: string, runId: string, log: Logger, signal: AbortSignal): Promise<BlobLogReader | undefined> {
  const accounts = [];
  try {
    for await (const a of clients.storage.storageAccounts.listByResourceGroup(stagingGroup, { abortSignal: signal })) accounts.push(a);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const account = accounts.find((a) => a.tags?.createdBy === 'AzureVMImageBuilder') ?? accounts[0];
  const endpoint = account?.primaryEndpoints?.blob;
  if (!account?.name || !endpoint) return undefined;
  let key: string | undefined;
  try {
    key = (await clients.storage.storageAccounts.listKeys(stagingGroup, account.name, { abortSignal: signal })).keys?.[0]?.value;
  } catch (err) {
    log.warn(`The build log in storage account ${account.name} can't be read: listing its keys was refused (${(err as Error).message.split('\n')[0]}). It stays at ${endpoint}packerlogs/${runId}/customization.log.`);
    return undefined;
  }
  if (!key) return undefined;
  log.secret(key);
  const { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, generateAccountSASQueryParameters, SASProtocol, StorageSharedKeyCredential } = storageBlob;
  const sas = generateAccountSASQueryParameters({
    permissions: AccountSASPermissions.parse('r'),
    services: AccountSASServices.parse('b').toString(),
    resourceTypes: AccountSASResourceTypes.parse('o').toString(),
    protocol: SASProtocol.Https,
    expiresOn: new Date(Date.now() + 3_600_000),
  }, new StorageSharedKeyCredential(account.name, key)).toString();
  log.secret(sas);
  const url = `${endpoint.replace(/\/?$/, '/')}packerlogs/${runId}/customization.log?${sas}`;
  const pipeline = createEmptyPipeline();
  if (azure.policy) pipeline.addPolicy(azure.policy);
  const http = createDefaultHttpClient();
  return {
    async read(offset: number): Promise<Buffer | undefined> {
      const request = createPipelineRequest({
        url, method: 'GET', abortSignal: signal,
        headers: createHttpHeaders({ 'x-ms-version': '2023-11-03', ...(offset > 0 ? { 'x-ms-range': `bytes=${offset}-` } : {}) }),
      });
      const response = await pipeline.sendRequest(http, request);
      if (response.status === 404) return undefined;
      if (response.status === 416) return Buffer.alloc(0);
      if (response.status >= 400) throw new Error(`reading the build log failed: the blob service answered ${response.status}`);
      return Buffer.from(response.bodyAsText ?? '', 'utf8');
    },
  };
}
