import * as assert from 'assert';
import { ArmClient } from '../../tasks/common/azure/armClient';
import { RunningSim, startSimulator } from '../sim';
import { simAzureContext } from './simConnection';

const GALLERY_API = '2024-03-03';

describe(
  'e2e: the generic ARM client against the simulator (writes and long-running operations by ' +
    'the ARM contract)',
  function () {
    this.timeout(60_000);
    let sim: RunningSim;
    let arm: ArmClient;
    let rg: string;
    before(async () => {
      sim = await startSimulator({ scenario: { timeScale: 0.005 } });
      arm = new ArmClient(simAzureContext(sim.info), { pollIntervalMs: 50 });
      rg = `/subscriptions/${sim.info.subscriptionId}/resourceGroups/rg-arm`;
    });
    after(async () => {
      await sim?.stop();
    });

    const calls = (method: string, path: RegExp) =>
      sim.state().requests.filter((r) => r.method === method && path.test(r.path));

    it('PUT waits out an Azure-AsyncOperation create; returns what a GET returns', async () => {
      await arm.put(rg, '2021-04-01', { location: 'westeurope' }, new AbortController().signal);
      const gallery = await arm.put<{ id: string; properties: { provisioningState: string } }>(
        `${rg}/providers/Microsoft.Compute/galleries/golden`,
        GALLERY_API,
        { location: 'westeurope', properties: { description: 'made by the ARM client' } },
        new AbortController().signal,
      );
      assert.strictEqual(gallery.properties.provisioningState, 'Succeeded');
      assert.match(gallery.id, /\/galleries\/golden$/);
      assert.ok(
        calls('GET', /operations|asyncoperations|locations\//i).length >= 1,
        'the operation status was polled',
      );
    });

    it('apply waits out a create without the final GET; a refused write throws', async () => {
      const image = `${rg}/providers/Microsoft.Compute/galleries/applied`;
      const before = sim.state().requests.length;
      await arm.apply(
        'PUT',
        image,
        GALLERY_API,
        { location: 'westeurope' },
        new AbortController().signal,
      );
      const sent = sim.state().requests.slice(before);
      const resourceGets = sent.filter(
        (r) => r.method === 'GET' && /\/galleries\/applied$/i.test(r.path.split('?')[0]),
      );
      assert.strictEqual(resourceGets.length, 0, 'no final GET of the resource');
      assert.ok(
        sent.some((r) => r.method === 'GET' && /operations|locations\//i.test(r.path)),
        'the operation status was polled to its end',
      );
      const made = await arm.get<{ properties: { provisioningState: string } }>(
        image,
        GALLERY_API,
        new AbortController().signal,
      );
      assert.strictEqual(made.properties.provisioningState, 'Succeeded');
      await arm.delete(image, GALLERY_API, new AbortController().signal);
      await assert.rejects(
        arm.apply(
          'PUT',
          `${rg}/providers/Microsoft.Compute/galleries/bad name!`,
          GALLERY_API,
          { location: 'westeurope' },
          new AbortController().signal,
        ),
        (err: Error & { statusCode?: number }) => err.statusCode === 400,
      );
    });

    it('PATCH and a POST action (Location) complete; the action returns its result', async () => {
      const gallery = `${rg}/providers/Microsoft.Compute/galleries/golden`;
      const patched = await arm.patch<{
        properties: { sharingProfile?: { permissions?: string } };
      }>(
        gallery,
        GALLERY_API,
        { properties: { sharingProfile: { permissions: 'Groups' } } },
        new AbortController().signal,
      );
      assert.strictEqual(patched.properties.sharingProfile?.permissions, 'Groups');
      const other = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
      const shared = await arm.post<{
        operationType: string;
        groups: { type: string; ids: string[] }[];
      }>(
        `${gallery}/share`,
        GALLERY_API,
        { operationType: 'Add', groups: [{ type: 'Subscriptions', ids: [other] }] },
        new AbortController().signal,
      );
      assert.deepStrictEqual(shared?.groups, [{ type: 'Subscriptions', ids: [other] }]);
      const read = await arm.get<{ properties: { sharingProfile: { groups?: unknown[] } } }>(
        `${gallery}?$expand=sharingProfile/groups`,
        GALLERY_API,
        new AbortController().signal,
      );
      assert.strictEqual(
        read.properties.sharingProfile.groups?.length,
        1,
        'the share took effect before post() returned',
      );
    });

    it(
      'ARM errors come back with their code; DELETE waits until the resource is gone, and ' +
        'deleting it again is no error',
      async () => {
        await assert.rejects(
          arm.put(
            `${rg}/providers/Microsoft.Compute/galleries/bad`,
            GALLERY_API,
            { location: 'westeurope', properties: { descriptionTypo: 'x' } },
            new AbortController().signal,
          ),
          (err: { code?: string; statusCode?: number }) => err.statusCode === 400 && !!err.code,
        );
        const gallery = `${rg}/providers/Microsoft.Compute/galleries/golden`;
        await arm.delete(gallery, GALLERY_API, new AbortController().signal);
        await assert.rejects(
          arm.get(gallery, GALLERY_API, new AbortController().signal),
          (err: { statusCode?: number }) => err.statusCode === 404,
        );
        const before = calls('DELETE', /galleries\/golden\?/i).length;
        await arm.delete(gallery, GALLERY_API, new AbortController().signal);
        assert.strictEqual(calls('DELETE', /galleries\/golden\?/i).length, before + 1);
      },
    );

    it('lists follow nextLink across pages', async () => {
      const locations = await arm.list<{ name: string }>(
        `/subscriptions/${sim.info.subscriptionId}/locations`,
        '2022-12-01',
        new AbortController().signal,
      );
      assert.ok(locations.some((l) => l.name === 'westeurope'));
      for (let i = 0; i < 3; i++)
        await arm.put(
          `${rg}/providers/Microsoft.Compute/galleries/g${i}`,
          GALLERY_API,
          { location: 'westeurope' },
          new AbortController().signal,
        );
      const small = await startSimulator({
        scenario: {
          pageSize: 1,
          resources: sim
            .state()
            .resources.filter((r) => /galleries$|resourceGroups$/i.test(r.type)),
        },
      });
      try {
        const galleries = await new ArmClient(simAzureContext(small.info)).list<{ name: string }>(
          `${rg}/providers/Microsoft.Compute/galleries`,
          GALLERY_API,
          new AbortController().signal,
        );
        assert.deepStrictEqual(galleries.map((g) => g.name).sort(), ['g0', 'g1', 'g2']);
        assert.ok(
          small.state().requests.filter((r) => r.method === 'GET' && /galleries/i.test(r.path))
            .length >= 3,
          'one request per page',
        );
      } finally {
        await small.stop();
      }
    });
  },
);
