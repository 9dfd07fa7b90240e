// Microsoft Graph on the simulator with real @azure/identity tokens: the token endpoint issues
// Graph tokens (the sim's Graph URL or the public audience) carrying the granted application
// permissions; Graph checks signature, audience and permissions, lists service principals and
// devices with OData $filter, deletes devices, and answers in Graph's shapes.
import * as assert from 'assert';
import * as http from 'http';
import { ClientCertificateCredential } from '@azure/identity';
import { RunningSim, SIM_IDS, startSimulator } from './index';
import { GraphPermissions } from './graph/permissions';
import {
  armToken,
  claimsOf,
  credentialOptions,
  graphRequest,
  graphToken,
  rawRequest,
} from './testSupport';

const W365 = '0af06dc6-e4b5-4f28-818e-e78e62d137a5';
const devices = [
  {
    displayName: 'cpc-ada-1',
    deviceId: '11111111-1111-4111-8111-111111111111',
    id: 'aaaaaaaa-1111-4111-8111-111111111111',
  },
  {
    displayName: 'cpc-ada-1',
    deviceId: '22222222-2222-4222-8222-222222222222',
    id: 'aaaaaaaa-2222-4222-8222-222222222222',
    trustType: 'ServerAd',
  },
  { displayName: "o'brien-pc", id: 'aaaaaaaa-3333-4333-8333-333333333333' },
];

describe('simulator: Microsoft Graph', function () {
  this.timeout(20000);
  let sim: RunningSim;
  let token: string;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        graph: {
          servicePrincipals: [
            {
              appId: '9cdead84-a844-4324-93f2-b2e6bb768d07',
              displayName: 'Azure Virtual Desktop',
              appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a',
            },
          ],
          devices,
          // The certificate app may not read service principals nor delete devices.
          withheld: [
            { principal: SIM_IDS.spCert.clientId, permission: 'Application.Read.All' },
            { principal: SIM_IDS.spCert.objectId, permission: 'Device.ReadWrite.All' },
          ],
        },
        faults: [
          {
            method: 'GET',
            path: '^/graph/v1\\.0/devices\\?.*throttle',
            status: 429,
            retryAfter: 2,
          },
        ],
      },
    });
    token = await graphToken(sim);
  });
  after(async () => sim?.stop());

  const certCredential = () =>
    new ClientCertificateCredential(
      sim.info.tenantId,
      SIM_IDS.spCert.clientId,
      { certificate: sim.info.principals.spCert.certificatePem },
      credentialOptions(sim.info),
    );

  it(
    'issues Graph tokens for <graphUrl>.default and the public audience, with the granted ' +
      'permissions as roles',
    async () => {
      const c = claimsOf(token);
      assert.strictEqual(c.aud, sim.info.graphUrl.replace(/\/$/, ''));
      assert.deepStrictEqual(c.roles, [
        'Application.Read.All',
        'Application.ReadWrite.All',
        'Device.Read.All',
        'Device.ReadWrite.All',
        'Directory.Read.All',
        'Directory.ReadWrite.All',
      ]);
      const pub = await graphToken(sim, undefined, 'https://graph.microsoft.com/.default');
      assert.strictEqual(claimsOf(pub).aud, 'https://graph.microsoft.com');
      assert.strictEqual(
        (await graphRequest(sim, 'GET', '/v1.0/devices', { token: pub })).status,
        200,
      );
      assert.strictEqual(
        claimsOf(await armToken(sim)).roles,
        undefined,
        'ARM tokens carry no Graph roles',
      );
    },
  );

  it(
    'finds the Windows 365 service principal by appId (OData $filter, single quotes) and by ' +
      'alternate key',
    async () => {
      const r = await graphRequest(
        sim,
        'GET',
        `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${W365}'`)}`,
        { token },
      );
      assert.strictEqual(r.status, 200);
      assert.strictEqual(
        r.body['@odata.context'],
        `${sim.info.graphUrl}v1.0/$metadata#servicePrincipals`,
      );
      assert.deepStrictEqual(
        r.body.value.map((sp: any) => [sp.appId, sp.displayName, sp.servicePrincipalType]),
        [[W365, 'Windows 365', 'Application']],
      );
      assert.match(r.body.value[0].id, /^[0-9a-f-]{36}$/);
      const byKey = await graphRequest(
        sim,
        'GET',
        `/v1.0/servicePrincipals(appId='${W365}')?$select=id,displayName`,
        { token },
      );
      assert.deepStrictEqual(byKey.body, {
        '@odata.context':
          `${sim.info.graphUrl}v1.0/$metadata#servicePrincipals(id,displayName)` + `/$entity`,
        id: r.body.value[0].id,
        displayName: 'Windows 365',
      });
      // The directory's apps and the scenario's service principals are there too.
      const all = await graphRequest(sim, 'GET', '/v1.0/servicePrincipals', { token });
      const names = all.body.value.map((sp: any) => sp.displayName);
      assert.ok(
        ['sim-sp', 'Windows 365', 'Azure Virtual Desktop'].every((n) => names.includes(n)),
        names.join(', '),
      );
      assert.strictEqual(
        all.body.value.find((sp: any) => sp.appId === SIM_IDS.sp.clientId).id,
        SIM_IDS.sp.objectId,
      );
    },
  );

  it(
    'lists devices by displayName ($filter, quotes doubled), pages with $top, deletes one ' +
      '(204, then 404 Request_ResourceNotFound)',
    async () => {
      const byName = await graphRequest(
        sim,
        'GET',
        `/v1.0/devices?$filter=${encodeURIComponent("displayName eq 'CPC-ADA-1'")}`,
        { token },
      );
      assert.deepStrictEqual(
        byName.body.value.map((d: any) => [d.id, d.deviceId, d.trustType, d.operatingSystem]),
        [
          [devices[0].id, devices[0].deviceId, 'AzureAd', 'Windows'],
          [devices[1].id, devices[1].deviceId, 'ServerAd', 'Windows'],
        ],
      );
      const quoted = await graphRequest(
        sim,
        'GET',
        `/v1.0/devices?$filter=${encodeURIComponent("displayName eq 'o''brien-pc'")}`,
        { token },
      );
      assert.deepStrictEqual(
        quoted.body.value.map((d: any) => d.id),
        [devices[2].id],
      );
      const page = await graphRequest(sim, 'GET', '/v1.0/devices?$top=2', { token });
      assert.strictEqual(page.body.value.length, 2);
      const next = await graphRequest(
        sim,
        'GET',
        page.body['@odata.nextLink'].slice(sim.info.graphUrl.length - 1),
        { token },
      );
      assert.deepStrictEqual(
        next.body.value.map((d: any) => d.id),
        [devices[2].id],
      );

      assert.strictEqual(
        (await graphRequest(sim, 'DELETE', `/v1.0/devices/${devices[0].id}`, { token })).status,
        204,
      );
      const again = await graphRequest(sim, 'DELETE', `/v1.0/devices/${devices[0].id}`, { token });
      assert.deepStrictEqual(
        [again.status, again.body.error.code, again.body.error.message],
        [
          404,
          'Request_ResourceNotFound',
          `Resource '${devices[0].id}' does not exist or one of its queried ` +
            `reference-property objects are not present.`,
        ],
      );
      assert.ok(
        !sim.state().graph.devices.some((d) => d.id === devices[0].id),
        'gone from the state dump',
      );
      const recorded = sim.state().graphRequests.filter((q) => q.method === 'DELETE');
      assert.deepStrictEqual(recorded, [
        { method: 'DELETE', path: `/v1.0/devices/${devices[0].id}`, status: 204 },
        { method: 'DELETE', path: `/v1.0/devices/${devices[0].id}`, status: 404 },
      ]);
    },
  );

  it(
    "answers Authorization_RequestDenied (403, Graph's body) when the scenario withholds the " +
      'permission from the caller',
    async () => {
      const cert = await graphToken(sim, certCredential());
      assert.deepStrictEqual(
        claimsOf(cert).roles,
        ['Device.Read.All'],
        'withholding Application.Read.All also withholds the broader ones that include it',
      );
      const sps = await graphRequest(sim, 'GET', '/v1.0/servicePrincipals', {
        token: cert,
        headers: { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000000' },
      });
      assert.strictEqual(sps.status, 403);
      assert.deepStrictEqual(Object.keys(sps.body.error), ['code', 'message', 'innerError']);
      assert.deepStrictEqual(
        [sps.body.error.code, sps.body.error.message],
        ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'],
      );
      assert.match(sps.body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.strictEqual(
        sps.body.error.innerError['client-request-id'],
        'c0ffee00-0000-4000-8000-000000000000',
      );
      assert.strictEqual(sps.body.error.innerError['request-id'], sps.headers['request-id']);
      assert.strictEqual(
        (await graphRequest(sim, 'GET', '/v1.0/devices', { token: cert })).status,
        200,
        'reading devices is granted',
      );
      const del = await graphRequest(sim, 'DELETE', `/v1.0/devices/${devices[2].id}`, {
        token: cert,
      });
      assert.deepStrictEqual(
        [del.status, del.body.error.code],
        [403, 'Authorization_RequestDenied'],
      );
      assert.ok(
        sim.state().graph.devices.some((d) => d.id === devices[2].id),
        'not deleted',
      );
    },
  );

  it(
    'validates the token like ARM: none, another audience, a forged one are 401 ' +
      'InvalidAuthenticationToken; ARM refuses Graph tokens',
    async () => {
      const none = await graphRequest(sim, 'GET', '/v1.0/devices');
      assert.deepStrictEqual(
        [none.status, none.body.error.code, none.body.error.message],
        [401, 'InvalidAuthenticationToken', 'Access token is empty.'],
      );
      assert.match(none.headers['www-authenticate'], /^Bearer realm="", authorization_uri=/);
      const arm = await graphRequest(sim, 'GET', '/v1.0/devices', { token: await armToken(sim) });
      assert.deepStrictEqual(
        [arm.status, arm.body.error.message],
        [401, 'Access token validation failure. Invalid audience.'],
      );
      const [h, p] = token.split('.');
      const forged = await graphRequest(sim, 'GET', '/v1.0/devices', {
        token: `${h}.${p}.${Buffer.from('nope').toString('base64url')}`,
      });
      assert.deepStrictEqual(
        [forged.status, forged.body.error.code],
        [401, 'InvalidAuthenticationToken'],
      );
      const onArm = await rawRequest(
        sim,
        'GET',
        `/subscriptions/${sim.info.subscriptionId}/resourcegroups?api-version=2021-04-01`,
        { token },
      );
      assert.deepStrictEqual(
        [onArm.status, onArm.body.error.code],
        [401, 'InvalidAuthenticationTokenAudience'],
      );
    },
  );

  it(
    "refuses what it does not implement in Graph's terms; faults apply; the managed identity " +
      'endpoint issues Graph tokens too',
    async () => {
      const prop = await graphRequest(
        sim,
        'GET',
        `/v1.0/devices?$filter=${encodeURIComponent("model eq 'x'")}`,
        { token },
      );
      assert.deepStrictEqual(
        [prop.status, prop.body.error.code, prop.body.error.message],
        [
          400,
          'Request_UnsupportedQuery',
          "Unsupported or invalid query filter clause specified for property 'model' of " +
            "resource 'Device'.",
        ],
      );
      const segment = await graphRequest(sim, 'GET', '/v1.0/users', { token });
      assert.deepStrictEqual(
        [segment.status, segment.body.error.message],
        [400, "Resource not found for the segment 'users'."],
      );
      const throttled = await graphRequest(sim, 'GET', '/v1.0/devices?throttle=1', { token });
      assert.deepStrictEqual(
        [throttled.status, throttled.body.error.code, throttled.headers['retry-after']],
        [429, 'TooManyRequests', '2'],
      );

      const url =
        `${sim.info.msiAuthorityHost}/metadata/identity/oauth2` +
        `/token?api-version=2019-08-01&resource=${encodeURIComponent(sim.info.graphUrl)}`;
      const body = await new Promise<any>((resolve, reject) =>
        http
          .get(url, { headers: { Metadata: 'true' } }, (res) => {
            let text = '';
            res
              .on('data', (d) => {
                text += d;
              })
              .on('end', () => resolve(JSON.parse(text)));
          })
          .on('error', reject),
      );
      const mi = claimsOf(body.access_token);
      assert.deepStrictEqual([mi.oid, mi.roles.length], [SIM_IDS.msi.objectId, 6]);
      assert.strictEqual(
        (
          await graphRequest(
            sim,
            'GET',
            `/v1.0/servicePrincipals?$filter=` +
              `${encodeURIComponent(`appId eq '${SIM_IDS.msi.clientId}'`)}`,
            { token: body.access_token },
          )
        ).body.value[0].servicePrincipalType,
        'ManagedIdentity',
      );
    },
  );

  it(
    'a role assignment for the Windows 365 service principal needs no principalType (it is ' +
      'in the directory)',
    async () => {
      const w365 = sim.state().graph.servicePrincipals.find((sp) => sp.appId === W365)!;
      assert.strictEqual(w365.id, SIM_IDS.windows365.objectId);
      const armTok = await armToken(sim);
      await rawRequest(
        sim,
        'PUT',
        `/subscriptions/${sim.info.subscriptionId}/resourcegroups/rg-g?api-version=2021-04-01`,
        { token: armTok, body: { location: 'westeurope' } },
      );
      const put = await rawRequest(
        sim,
        'PUT',
        `/subscriptions/${sim.info.subscriptionId}/resourcegroups/rg-g/providers` +
          `/Microsoft.Authorization/roleAssignments` +
          `/5d5d5d5d-1111-4222-8333-444455556666?api-version=2022-04-01`,
        {
          token: armTok,
          body: {
            properties: {
              roleDefinitionId:
                `/subscriptions/${sim.info.subscriptionId}/providers/Microsoft.Authorization` +
                `/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
              principalId: w365.id,
            },
          },
        },
      );
      assert.deepStrictEqual(
        [put.status, put.body.properties.principalType],
        [201, 'ServicePrincipal'],
      );
    },
  );
});

describe('simulator: Graph application permissions', () => {
  it('withholding from every caller, and a permission that includes others', () => {
    const p = new GraphPermissions([
      { permission: 'device.read.all' },
      { principal: 'X', permission: 'Application.ReadWrite.All' },
    ]);
    assert.deepStrictEqual(p.rolesFor({ objectId: 'a', appId: 'b' }), [
      'Application.Read.All',
      'Application.ReadWrite.All',
    ]);
    assert.deepStrictEqual(p.rolesFor({ objectId: 'x', appId: 'b' }), ['Application.Read.All']);
    assert.throws(
      () => new GraphPermissions([{ permission: 'User.Read.All' }]),
      /graph\.withheld\[0\]: "permission" is one of Application\.Read\.All/,
    );
  });
});
