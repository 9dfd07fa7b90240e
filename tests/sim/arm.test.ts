// The Resource Manager framework: paths, api-version, errors and headers, faults, paging, LRO,
// RBAC.
import * as assert from 'assert';
import { RunningSim, startSimulator } from './index';
import { roleAssignmentResource } from './resources/authorization';
import { armToken, rawRequest, resourcesClient } from './testSupport';

const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

describe('simulator: Resource Manager framework', function () {
  this.timeout(20000);
  let sim: RunningSim;
  let token: string;
  let sub: string;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        pageSize: 2,
        faults: [
          {
            method: 'PUT',
            path: '/resourcegroups/rg-throttled\\?',
            status: 429,
            retryAfter: 1,
            times: 1,
          },
          { method: 'GET', path: '/resourcegroups/rg-dropped\\?', drop: true, times: 1 },
          { method: 'GET', path: '/resourcegroups/rg-slow\\?', delayMs: 300, times: 1 },
        ],
      },
    });
    sub = sim.info.subscriptionId;
    token = await armToken(sim);
  });
  after(async () => sim?.stop());

  it('needs api-version (MissingApiVersionParameter); ARM headers on every response', async () => {
    const r = await rawRequest(sim, 'GET', `/subscriptions/${sub}/resourcegroups`, { token });
    assert.strictEqual(r.status, 400);
    assert.deepStrictEqual(r.body, {
      error: {
        code: 'MissingApiVersionParameter',
        message: 'The api-version query parameter (?api-version=) is required for all requests.',
      },
    });
    assert.ok(r.headers['x-ms-correlation-request-id'] && r.headers['x-ms-request-id']);
    assert.match(r.headers['x-ms-ratelimit-remaining-subscription-reads'], /^\d+$/);
  });

  it(
    'normalises "//subscriptions" and matches provider segments case-insensitively, keeping ' +
      'creation casing',
    async () => {
      const client = resourcesClient(sim);
      await client.resourceGroups.createOrUpdate('RG-Case', { location: 'West Europe' });
      const got = await client.resources.getById(
        `/subscriptions/${sub}/resourceGroups/rg-case`,
        '2021-04-01',
      );
      assert.strictEqual(got.name, 'RG-Case');
      assert.strictEqual(got.location, 'westeurope');
      assert.ok(
        sim
          .state()
          .requests.some((q) => q.path.startsWith(`/subscriptions/${sub}/resourceGroups/rg-case?`)),
        'the //-path was normalised',
      );
      const r = await rawRequest(
        sim,
        'GET',
        `/SUBSCRIPTIONS/${sub}/RESOURCEGROUPS/rg-case?api-version=2021-04-01`,
        { token },
      );
      assert.strictEqual(r.body.id, `/subscriptions/${sub}/resourcegroups/RG-Case`);
    },
  );

  it("answers ARM's not-found errors", async () => {
    const rg = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sub}/resourcegroups/nope?api-version=2021-04-01`,
      { token },
    );
    assert.deepStrictEqual(
      [rg.status, rg.body.error.code, rg.body.error.message],
      [404, 'ResourceGroupNotFound', "Resource group 'nope' could not be found."],
    );
    const res = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sub}/resourceGroups/RG-Case/providers/Microsoft.ManagedIdentity` +
        `/userAssignedIdentities/none?api-version=2023-01-31`,
      { token },
    );
    assert.strictEqual(res.body.error.code, 'ResourceNotFound');
    assert.strictEqual(
      res.body.error.message,
      "The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/none' under resource " +
        "group 'RG-Case' was not found. For more details please go to " +
        'https://aka.ms/ARMResourceNotFoundFix',
    );
    const parent = await rawRequest(
      sim,
      'PUT',
      `/subscriptions/${sub}/resourceGroups/RG-Case/providers/Microsoft.Storage` +
        `/storageAccounts/nosuchacct/providers/Microsoft.Authorization/roleAssignments` +
        `/5b1d0d4a-1111-4222-8333-444455556666?api-version=2022-04-01`,
      {
        token,
        body: {
          properties: {
            roleDefinitionId:
              `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/` +
              `${READER}`,
            principalId: sim.info.principals.sp.objectId,
          },
        },
      },
    );
    assert.deepStrictEqual(
      [parent.status, parent.body.error.code, parent.body.error.message],
      [
        404,
        'ParentResourceNotFound',
        'Can not perform requested operation on nested resource. Parent resource ' +
          "'nosuchacct' not found.",
      ],
    );
    const other = await rawRequest(
      sim,
      'GET',
      `/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups?api-version=2021-04-01`,
      { token },
    );
    assert.strictEqual(other.body.error.code, 'SubscriptionNotFound');
    const type = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sub}/resourceGroups/RG-Case/providers/Microsoft.Storage/fooAccounts` +
        `/x?api-version=2023-01-01`,
      { token },
    );
    assert.strictEqual(type.body.error.code, 'InvalidResourceType');
  });

  it('a 429 with Retry-After is retried by the SDK and recorded', async () => {
    const started = Date.now();
    await resourcesClient(sim).resourceGroups.createOrUpdate('rg-throttled', {
      location: 'westeurope',
    });
    assert.ok(Date.now() - started >= 900, 'the SDK waited for Retry-After');
    const puts = sim
      .state()
      .requests.filter(
        (q) => q.method === 'PUT' && q.path.includes('/resourcegroups/rg-throttled?'),
      );
    assert.deepStrictEqual(
      puts.map((q) => q.status),
      [429, 201],
    );
    assert.deepStrictEqual(puts[0].body, { location: 'westeurope' });
    const raw = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sub}/resourcegroups/rg-throttled?api-version=2021-04-01`,
      { token },
    );
    assert.strictEqual(raw.status, 200, 'the fault hit once');
  });

  it("a 429 answers ARM's throttling body and headers", async () => {
    const s2 = await startSimulator({
      scenario: { faults: [{ path: '/resourcegroups', status: 429, retryAfter: 7 }] },
    });
    try {
      const r = await rawRequest(
        s2,
        'GET',
        `/subscriptions/${s2.info.subscriptionId}/resourcegroups?api-version=2021-04-01`,
        { token: await armToken(s2) },
      );
      assert.strictEqual(r.status, 429);
      assert.strictEqual(r.headers['retry-after'], '7');
      assert.strictEqual(r.headers['x-ms-ratelimit-remaining-subscription-reads'], '0');
      assert.strictEqual(r.body.error.code, 'TooManyRequests');
      assert.match(
        r.body.error.message,
        new RegExp(
          '^The request is being throttled as the limit has been reached for operation type ' +
            '- Read_ObservationWindow_00:05:00\\.',
        ),
      );
    } finally {
      await s2.stop();
    }
  });

  it('drops and delays requests as the scenario says', async () => {
    await resourcesClient(sim).resourceGroups.createOrUpdate('rg-dropped', {
      location: 'westeurope',
    });
    await resourcesClient(sim).resourceGroups.createOrUpdate('rg-slow', { location: 'westeurope' });
    await assert.rejects(
      rawRequest(
        sim,
        'GET',
        `/subscriptions/${sub}/resourcegroups/rg-dropped?api-version=2021-04-01`,
        { token },
      ),
    );
    const t = Date.now();
    const slow = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sub}/resourcegroups/rg-slow?api-version=2021-04-01`,
      { token },
    );
    assert.strictEqual(slow.status, 200);
    assert.ok(Date.now() - t >= 290);
    assert.ok(
      sim
        .state()
        .requests.some(
          (q) => q.path.includes('rg-dropped?') && q.method === 'GET' && q.status === 0,
        ),
    );
  });

  it('pages lists with nextLink', async () => {
    const client = resourcesClient(sim);
    for (const n of ['rg-p1', 'rg-p2', 'rg-p3'])
      await client.resourceGroups.createOrUpdate(n, { location: 'westeurope' });
    const first = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sub}/resourcegroups?api-version=2021-04-01`,
      { token },
    );
    assert.strictEqual(first.body.value.length, 2);
    assert.match(
      first.body.nextLink,
      /^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\$skiptoken=2/,
    );
    const names: string[] = [];
    for await (const rg of client.resourceGroups.list()) names.push(rg.name!);
    for (const n of ['rg-p1', 'rg-p2', 'rg-p3', 'RG-Case']) assert.ok(names.includes(n), n);
    assert.strictEqual(new Set(names).size, names.length);
  });

  it('deletes a resource group in a long-running operation removing its resources', async () => {
    const client = resourcesClient(sim);
    await client.resourceGroups.createOrUpdate('rg-del', { location: 'westeurope' });
    const id =
      `/subscriptions/${sub}/resourceGroups/rg-del/providers/Microsoft.ManagedIdentity` +
      `/userAssignedIdentities/id1`;
    const put = await rawRequest(sim, 'PUT', `${id}?api-version=2023-01-31`, {
      token,
      body: { location: 'westeurope' },
    });
    assert.strictEqual(put.status, 201);
    const del = await rawRequest(
      sim,
      'DELETE',
      `/subscriptions/${sub}/resourceGroups/rg-del?api-version=2021-04-01`,
      { token },
    );
    assert.strictEqual(del.status, 202);
    assert.match(del.headers.location, /\/operationResults\//);
    assert.match(del.headers['retry-after'], /^\d+$/);
    const during = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sub}/resourceGroups/rg-del?api-version=2021-04-01`,
      { token },
    );
    assert.strictEqual(during.body.properties.provisioningState, 'Deleting');
    await client.resourceGroups.beginDeleteAndWait('rg-del', { updateIntervalInMs: 10 });
    assert.ok(
      !sim.state().resources.some((r) => r.id.toLowerCase().includes('/resourcegroups/rg-del')),
    );
  });

  it("RBAC: denies with Azure's AuthorizationFailed message, allows what roles grant", async () => {
    const rgScope = `/subscriptions/${sim.info.subscriptionId}/resourceGroups/rg-rbac`;
    const s2 = await startSimulator({
      scenario: {
        rbac: true,
        resources: [
          { id: rgScope, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          roleAssignmentResource(
            `/subscriptions/${sim.info.subscriptionId}`,
            READER,
            sim.info.principals.sp.objectId,
            sim.info.subscriptionId,
          ),
          roleAssignmentResource(
            rgScope,
            CONTRIBUTOR,
            sim.info.principals.sp.objectId,
            sim.info.subscriptionId,
          ),
        ],
      },
    });
    try {
      const client = resourcesClient(s2);
      assert.strictEqual((await client.resourceGroups.get('rg-rbac')).name, 'rg-rbac');
      const p = sim.info.principals.sp;
      await assert.rejects(
        client.resourceGroups.createOrUpdate('rg-new', { location: 'westeurope' }),
        (e: any) => {
          assert.strictEqual(e.statusCode, 403);
          assert.strictEqual(e.code, 'AuthorizationFailed');
          assert.strictEqual(
            e.message,
            `The client '${p.clientId}' with object id '${p.objectId}' does not have ` +
              `authorization to perform action ` +
              `'Microsoft.Resources/subscriptions/resourceGroups/write' over scope ` +
              `'/subscriptions/${s2.info.subscriptionId}/resourcegroups/rg-new' or the scope ` +
              `is invalid. If access was recently granted, please refresh your credentials.`,
          );
          return true;
        },
      );
      const t = await armToken(s2);
      const ok = await rawRequest(
        s2,
        'PUT',
        `${rgScope}/providers/Microsoft.ManagedIdentity/userAssignedIdentities` +
          `/id1?api-version=2023-01-31`,
        { token: t, body: { location: 'westeurope' } },
      );
      assert.strictEqual(ok.status, 201, 'Contributor on the group may create in it');
      const ra = await rawRequest(
        s2,
        'PUT',
        `${rgScope}/providers/Microsoft.Authorization/roleAssignments` +
          `/5b1d0d4a-1111-4222-8333-444455556666?api-version=2022-04-01`,
        {
          token: t,
          body: {
            properties: {
              roleDefinitionId:
                `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/` +
                `${READER}`,
              principalId: p.objectId,
            },
          },
        },
      );
      assert.strictEqual(
        ra.status,
        403,
        'Contributor may not assign roles (notActions Microsoft.Authorization/*/Write)',
      );
      assert.match(ra.body.error.message, /'Microsoft\.Authorization\/roleAssignments\/write'/);
    } finally {
      await s2.stop();
    }
  });
});
