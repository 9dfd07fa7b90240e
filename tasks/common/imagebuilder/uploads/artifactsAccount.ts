/**
 * The storage account and private container the uploads go to: the storageAccountName account
 * (anywhere in the subscription), or the task's own, made once per subscription and resource group
 * (private, no public blob access, TLS 1.2). With a dry run's plan nothing is made.
 */
import { createHash } from 'crypto';
import type { StorageAccount } from '@azure/arm-storage';
import { BlobServiceClient } from '@azure/storage-blob';
import { AzureContext } from '../../azure/clients';
import { describeArmError } from '../../azure/armErrors';
import { storageClientOptions } from '../../azure/network';
import { getOrUndefined } from '../../azure/notFound';
import { parseResourceId } from '../../azure/resourceIds';
import { InputError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { PlanItem } from '../../core/plan';
import { BuildClients } from '../clients';

export const ARTIFACTS_CONTAINER = 'buildimage-artifacts';

export interface Account {
  id: string;
  name: string;
  resourceGroup: string;
  blobEndpoint: string;
  own: boolean;
}

/**
 * The account the task makes for itself: one per subscription and resource group, same name every
 * run.
 */
export function ownAccountName(subscriptionId: string, resourceGroup: string): string {
  const hash = createHash('sha256').update(`${subscriptionId}/${resourceGroup}`.toLowerCase());
  return `gipart${hash.digest('hex').slice(0, 18)}`;
}

export function blobService(azure: AzureContext, endpoint: string): BlobServiceClient {
  return new BlobServiceClient(endpoint, azure.credential, {
    retryOptions: { maxTries: 4 },
    ...storageClientOptions(azure.network),
  });
}

/**
 * A storage account named `storageAccountName`: anywhere in the subscription, so found by listing.
 */
export async function findAccountByName(
  clients: BuildClients,
  name: string,
  signal: AbortSignal,
): Promise<StorageAccount | undefined> {
  for await (const acct of clients.storage.storageAccounts.list({ abortSignal: signal })) {
    if (acct.name?.toLowerCase() === name.toLowerCase()) return acct;
  }
  return undefined;
}

export interface AccountOptions {
  azure: AzureContext;
  clients: BuildClients;
  /** The storageAccountName input; undefined: the task's own account. */
  storageAccount?: string;
  /** The template's resource group: the task's own account is there. */
  resourceGroup: string;
  /** Where the task's own account is made. */
  location: string;
  /** Given for a dry run: a missing own account is added to it, not made. */
  plan?: PlanItem[];
  log: Logger;
  signal: AbortSignal;
}

/**
 * With `plan` (a dry run) a missing own account is not created but added to `plan`, and stood for
 * by its id and name.
 */
export async function findOrCreateAccount(o: AccountOptions): Promise<Account> {
  const { clients, storageAccount, resourceGroup, log, signal } = o;
  const subscriptionId = o.azure.subscriptionId;
  const s = clients.storage.storageAccounts;
  if (storageAccount) {
    const acct = await findAccountByName(clients, storageAccount, signal);
    if (acct) {
      const p = parseResourceId(acct.id ?? '')!;
      if (!acct.primaryEndpoints?.blob)
        throw new InputError(
          'storageAccountName',
          `the storage account '${storageAccount}' has no blob endpoint`,
          'a StorageV2 or BlobStorage account',
        );
      return {
        id: acct.id!,
        name: acct.name!,
        resourceGroup: p.resourceGroup,
        blobEndpoint: acct.primaryEndpoints.blob,
        own: false,
      };
    }
    throw new InputError(
      'storageAccountName',
      `no storage account '${storageAccount}' in subscription ${subscriptionId} (or the ` +
        `service connection can't see it)`,
      'an existing account, or leave it empty to let the task create its own',
    );
  }
  const name = ownAccountName(subscriptionId, resourceGroup);
  let acct = await getOrUndefined(() =>
    s.getProperties(resourceGroup, name, { abortSignal: signal }),
  );
  if (!acct && o.plan) {
    o.plan.push({
      action: 'create',
      target: `storage account ${name} in ${resourceGroup}`,
      reason: 'missing',
      details: ['for build artifacts: private, no public blob access, TLS 1.2'],
    });
    const id =
      `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers` +
      `/Microsoft.Storage/storageAccounts/${name}`;
    return {
      id,
      name,
      resourceGroup: resourceGroup,
      blobEndpoint: `<blob endpoint of ${name}>`,
      own: true,
    };
  }
  if (!acct) {
    log.info(
      `Creating storage account ${name} in ${resourceGroup} for build artifacts ` +
        `(private, no public blob access, TLS 1.2)...`,
    );
    acct = await s.create(
      resourceGroup,
      name,
      {
        location: o.location,
        kind: 'StorageV2',
        sku: { name: 'Standard_LRS' },
        allowBlobPublicAccess: false,
        minimumTlsVersion: 'TLS1_2',
        enableHttpsTrafficOnly: true,
        tags: { 'gip.managedBy': 'BuildImage', 'gip.purpose': 'build artifacts' },
      },
      { abortSignal: signal, updateIntervalInMs: 1_000 },
    );
  } else if (acct.allowBlobPublicAccess) {
    throw new InputError(
      'storageAccountName',
      `the task's own artifacts account ${name} allows public blob access (changed since ` +
        `it was created)`,
      `az storage account update -g ${resourceGroup} -n ${name} ` +
        `--allow-blob-public-access false`,
    );
  }
  if (!acct.primaryEndpoints?.blob)
    throw new Error(`The storage account ${name} reports no blob endpoint.`);
  return {
    id: acct.id!,
    name,
    resourceGroup: resourceGroup,
    blobEndpoint: acct.primaryEndpoints.blob,
    own: true,
  };
}

/**
 * Deletes the archive (or another blob the build uploaded: `what`) when the build has ended (kept
 * on request); failure only warns.
 */
export async function deleteArtifacts(
  azure: AzureContext,
  url: string,
  log: Logger,
  what = 'build artifacts archive',
): Promise<void> {
  const u = new URL(url);
  const [container, ...name] = u.pathname.replace(/^\//, '').split('/');
  // Azurite-style URLs carry the account in the path; Azure's in the host.
  const endpoint = url.slice(0, url.indexOf(`/${container}/${name.join('/')}`));
  try {
    await blobService(azure, endpoint)
      .getContainerClient(container)
      .deleteBlob(name.map(decodeURIComponent).join('/'), { deleteSnapshots: 'include' });
    log.info(`Deleted the ${what} ${url}.`);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return;
    log.warn(`Deleting the ${what} ${url} failed: ${describeArmError(err)}`);
  }
}
