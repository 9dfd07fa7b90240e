import * as assert from 'assert';
import { createAzureContext } from '../../tasks/common/azure/clients';
import { GraphClient } from '../../tasks/common/azure/graph';
import { RunningSim, startSimulator } from '../sim';
import { simAzureContext } from './simConnection';

const WINDOWS_365 = '0af06dc6-e4b5-4f28-818e-e78e62d137a5';

describe('e2e: the Microsoft Graph client against the simulator', function () {
  this.timeout(30_000);
  let sim: RunningSim | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it(
    "finds a service principal by app id with the connection's credential (undefined when " +
      'there is none)',
    async () => {
      sim = await startSimulator({});
      const graph = new GraphClient(simAzureContext(sim.info));
      const sp = await graph.servicePrincipalByAppId(WINDOWS_365, new AbortController().signal);
      assert.strictEqual(sp?.appId, WINDOWS_365);
      assert.ok(sp?.id && sp.id !== WINDOWS_365, 'the object id, which role assignments name');
      assert.strictEqual(
        await graph.servicePrincipalByAppId(
          '00000000-0000-4000-8000-000000000000',
          new AbortController().signal,
        ),
        undefined,
      );
      assert.match(
        sim.state().graphRequests[0].path,
        /^\/v1\.0\/servicePrincipals\?\$filter=appId%20eq%20/,
      );
    },
  );

  it(
    'lists devices by display name (a quote in the name escaped as OData does) and deletes ' +
      'one; deleting it again is no error',
    async () => {
      sim = await startSimulator({
        scenario: {
          graph: {
            devices: [
              { displayName: 'avd-0' },
              { displayName: 'avd-0' },
              { displayName: "o'brien-pc" },
              { displayName: 'avd-1' },
            ],
          },
        },
      });
      const graph = new GraphClient(simAzureContext(sim.info));
      const signal = new AbortController().signal;
      const twins = await graph.devicesByDisplayName('avd-0', signal);
      assert.strictEqual(twins.length, 2);
      assert.deepStrictEqual(
        (await graph.devicesByDisplayName("o'brien-pc", signal)).map((d) => d.displayName),
        ["o'brien-pc"],
      );
      await graph.deleteDevice(twins[0].id, signal);
      await graph.deleteDevice(twins[0].id, signal);
      assert.deepStrictEqual(
        sim
          .state()
          .graph.devices.map((d) => d.displayName)
          .sort(),
        ['avd-0', 'avd-1', "o'brien-pc"],
      );
      assert.deepStrictEqual(
        sim
          .state()
          .graphRequests.filter((r) => r.method === 'DELETE')
          .map((r) => r.status),
        [204, 404],
      );
    },
  );

  it('an ungranted permission fails, naming the application permission to grant', async () => {
    sim = await startSimulator({
      scenario: {
        graph: {
          withheld: [
            { permission: 'Application.Read.All' },
            { permission: 'Device.ReadWrite.All' },
          ],
        },
      },
    });
    const graph = new GraphClient(simAzureContext(sim.info));
    const signal = new AbortController().signal;
    await assert.rejects(
      graph.servicePrincipalByAppId(WINDOWS_365, signal),
      (err: Error & { code?: string; statusCode?: number }) =>
        err.statusCode === 403 &&
        err.code === 'Authorization_RequestDenied' &&
        /application permission Application\.Read\.All/.test(err.message),
    );
    await assert.rejects(
      graph.deleteDevice('11111111-1111-4111-8111-111111111111', signal),
      /Device\.ReadWrite\.All/,
    );
    assert.deepStrictEqual(
      await graph.devicesByDisplayName('none', signal),
      [],
      'reading devices is still granted',
    );
  });

  it('a cloud without a known Graph endpoint is refused up front, saying what to do', () => {
    const azure = createAzureContext(
      {
        id: 'stack',
        scheme: 'ServicePrincipalSecret',
        tenantId: 't',
        clientId: 'c',
        clientSecret: 's',
        subscriptionId: 's',
        environment: 'AzureStack',
        resourceManagerUrl: 'https://management.local.azurestack.external/',
        authorityHost: 'https://login.local/',
        audience: 'https://management.local/',
      },
      {},
      'tests',
    );
    assert.throws(() => new GraphClient(azure), /AzureStack\) has no Microsoft Graph endpoint/);
  });
});
