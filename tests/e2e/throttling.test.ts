import * as assert from 'assert';
import { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { ResourceManagementClient } from '@azure/arm-resources';
import { RunningSim, startSimulator } from '../sim';
import { simAzureContext } from './simConnection';

describe('e2e: throttling is absorbed by our client stack', function () {
  this.timeout(60_000);
  let sim: RunningSim;
  after(async () => {
    await sim?.stop();
  });

  it(
    'two 429s with Retry-After on an image template PUT: the create succeeds and one ' +
      'template exists',
    async () => {
      sim = await startSimulator({
        scenario: {
          faults: [
            {
              method: 'PUT',
              path: '/imageTemplates/tpl-throttled\\?',
              status: 429,
              times: 2,
              retryAfter: 1,
            },
          ],
        },
      });
      const azure = simAzureContext(sim.info);
      const rg = 'rg-images';
      await new ResourceManagementClient(
        azure.credential,
        azure.subscriptionId,
        azure.clientOptions,
      ).resourceGroups.createOrUpdate(rg, { location: 'westeurope' });
      const msi =
        `/subscriptions/${azure.subscriptionId}/resourceGroups/${rg}/providers` +
        `/Microsoft.ManagedIdentity/userAssignedIdentities/aib`;
      const { ManagedServiceIdentityClient } = await import('@azure/arm-msi');
      await new ManagedServiceIdentityClient(
        azure.credential,
        azure.subscriptionId,
        azure.clientOptions,
      ).userAssignedIdentities.createOrUpdate(rg, 'aib', { location: 'westeurope' });
      const client = new ImageBuilderClient(
        azure.credential,
        azure.subscriptionId,
        azure.clientOptions,
      );
      const started = Date.now();
      await client.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
        rg,
        'tpl-throttled',
        {
          location: 'westeurope',
          identity: { type: 'UserAssigned', userAssignedIdentities: { [msi]: {} } },
          source: {
            type: 'PlatformImage',
            publisher: 'Canonical',
            offer: 'ubuntu-24_04-lts',
            sku: 'server',
            version: 'latest',
          },
          customize: [{ type: 'Shell', name: 'hello', inline: ['echo hello'] }],
          distribute: [
            {
              type: 'ManagedImage',
              runOutputName: 'img',
              location: 'westeurope',
              imageId:
                `/subscriptions/${azure.subscriptionId}/resourceGroups/${rg}/providers` +
                `/Microsoft.Compute/images/img1`,
            },
          ],
        },
        { updateIntervalInMs: 100 },
      );
      const state = sim.state();
      const puts = state.requests.filter(
        (r) => r.method === 'PUT' && /imageTemplates\/tpl-throttled\?/i.test(r.path),
      );
      assert.deepStrictEqual(
        puts.map((r) => (r.status < 300 ? 'ok' : r.status)),
        [429, 429, 'ok'],
        JSON.stringify(puts),
      );
      assert.ok(Date.now() - started >= 2000, 'Retry-After was honoured');
      assert.strictEqual(state.resources.filter((r) => /imageTemplates$/i.test(r.type)).length, 1);
    },
  );
});
