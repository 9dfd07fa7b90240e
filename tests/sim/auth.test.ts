// Authentication against the simulator as the tasks do it: @azure/identity credentials with a
// custom authority host, workload identity through both DevOps OIDC forms, and the managed identity
// endpoint.
import * as assert from 'assert';
import {
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { getHandlerFromToken, WebApi } from 'azure-devops-node-api';
import { DEVOPS_DEFAULTS, RunningSim, startSimulator } from './index';
import { armToken, credentialOptions, rawRequest, resourcesClient } from './testSupport';

describe('simulator: authentication', function () {
  this.timeout(20000);
  let sim: RunningSim;
  const otherWif = {
    clientId: 'd0d0d0d0-1111-4222-8333-444455556666',
    objectId: 'e0e0e0e0-1111-4222-8333-444455556666',
  };

  before(async () => {
    sim = await startSimulator({
      scenario: {
        clients: [
          { ...otherWif, federated: { subject: 'sc://simorg/someproject/another-connection' } },
        ],
      },
    });
  });
  after(async () => sim?.stop());

  it('refuses ARM calls without a token (401 AuthenticationFailed)', async () => {
    const r = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sim.info.subscriptionId}/resourcegroups?api-version=2021-04-01`,
    );
    assert.strictEqual(r.status, 401);
    assert.strictEqual(r.body.error.code, 'AuthenticationFailed');
    assert.match(r.headers['www-authenticate'], /^Bearer authorization_uri=/);
    assert.ok(r.headers['x-ms-correlation-request-id']);
  });

  it('refuses a token for another audience and a forged token', async () => {
    const cred = new ClientSecretCredential(
      sim.info.tenantId,
      sim.info.principals.sp.clientId,
      sim.info.principals.sp.secret,
      credentialOptions(sim.info),
    );
    const storageToken = (await cred.getToken('https://storage.azure.com/.default')).token;
    const r = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sim.info.subscriptionId}/resourcegroups?api-version=2021-04-01`,
      { token: storageToken },
    );
    assert.strictEqual(r.status, 401);
    assert.strictEqual(r.body.error.code, 'InvalidAuthenticationTokenAudience');
    const [h, p] = storageToken.split('.');
    const forged = await rawRequest(
      sim,
      'GET',
      `/subscriptions/${sim.info.subscriptionId}/resourcegroups?api-version=2021-04-01`,
      { token: `${h}.${p}.${Buffer.from('nope').toString('base64url')}` },
    );
    assert.strictEqual(forged.body.error.code, 'InvalidAuthenticationToken');
  });

  it('client secret: creates a resource group with @azure/arm-resources', async () => {
    const rg = await resourcesClient(sim).resourceGroups.createOrUpdate('rg-auth', {
      location: 'westeurope',
    });
    assert.strictEqual(rg.name, 'rg-auth');
    assert.strictEqual(rg.properties?.provisioningState, 'Succeeded');
    assert.ok(sim.state().tokenGrants.client_secret >= 1);
  });

  it('a wrong secret fails with AADSTS7000215', async () => {
    const cred = new ClientSecretCredential(
      sim.info.tenantId,
      sim.info.principals.sp.clientId,
      'wrong-secret',
      credentialOptions(sim.info),
    );
    await assert.rejects(
      cred.getToken(`${sim.info.armUrl}.default`),
      /AADSTS7000215: Invalid client secret provided/,
    );
  });

  it('an unknown client fails with AADSTS700016', async () => {
    const cred = new ClientSecretCredential(
      sim.info.tenantId,
      '99999999-9999-4999-8999-999999999999',
      'x',
      credentialOptions(sim.info),
    );
    await assert.rejects(
      cred.getToken(`${sim.info.armUrl}.default`),
      new RegExp(
        "AADSTS700016: Application with identifier '99999999-9999-4999-8999-999999999999' " +
          'was not found',
      ),
    );
  });

  it('client certificate: the assertion is verified with the registered certificate', async () => {
    const cred = new ClientCertificateCredential(
      sim.info.tenantId,
      sim.info.principals.spCert.clientId,
      { certificate: sim.info.principals.spCert.certificatePem },
      credentialOptions(sim.info),
    );
    const list = resourcesClient(sim, cred).resourceGroups.list();
    for await (const _ of list) void _;
    assert.strictEqual(sim.state().tokenGrants.client_certificate, 1);
    // The same certificate presented for another app is not registered there.
    const wrong = new ClientCertificateCredential(
      sim.info.tenantId,
      sim.info.principals.sp.clientId,
      { certificate: sim.info.principals.spCert.certificatePem },
      credentialOptions(sim.info),
    );
    await assert.rejects(wrong.getToken(`${sim.info.armUrl}.default`), /AADSTS700027/);
  });

  it('workload identity: SYSTEM_OIDCREQUESTURI form (AzurePipelinesCredential)', async () => {
    const saved = process.env.SYSTEM_OIDCREQUESTURI;
    process.env.SYSTEM_OIDCREQUESTURI = sim.info.oidcRequestUri;
    try {
      const cred = new AzurePipelinesCredential(
        sim.info.tenantId,
        sim.info.principals.wif.clientId,
        '6f1a2b3c-0000-4000-8000-00000000c0c0',
        sim.info.systemAccessToken,
        credentialOptions(sim.info),
      );
      assert.ok(await armToken(sim, cred));
      const bad = new AzurePipelinesCredential(
        sim.info.tenantId,
        sim.info.principals.wif.clientId,
        '6f1a2b3c-0000-4000-8000-00000000c0c0',
        'not-the-token',
        credentialOptions(sim.info),
      );
      await assert.rejects(armToken(sim, bad), /oidcToken field not detected/);
    } finally {
      if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
      else process.env.SYSTEM_OIDCREQUESTURI = saved;
    }
    assert.ok(sim.state().tokenGrants.client_assertion >= 1);
  });

  it(
    'workload identity: distributedtask oidctoken through azure-devops-node-api, then a ' +
      'client assertion',
    async () => {
      const connection = new WebApi(
        sim.info.collectionUri,
        getHandlerFromToken(sim.info.systemAccessToken),
        { cert: { caFile: sim.info.caCertPath } },
      );
      const taskApi = await connection.getTaskApi();
      const d = DEVOPS_DEFAULTS;
      const res = await taskApi.createOidcToken(
        {},
        d.projectId,
        d.hub,
        d.planId,
        d.jobId,
        '6f1a2b3c-0000-4000-8000-00000000c0c0',
      );
      assert.ok(res.oidcToken);
      const cred = new ClientAssertionCredential(
        sim.info.tenantId,
        sim.info.principals.wif.clientId,
        () => Promise.resolve(res.oidcToken!),
        credentialOptions(sim.info),
      );
      const rg = await resourcesClient(sim, cred).resourceGroups.createOrUpdate('rg-wif', {
        location: 'westeurope',
      });
      assert.strictEqual(rg.name, 'rg-wif');
      // A federated credential for another subject does not match this pipeline's token.
      const other = new ClientAssertionCredential(
        sim.info.tenantId,
        otherWif.clientId,
        () => Promise.resolve(res.oidcToken!),
        credentialOptions(sim.info),
      );
      await assert.rejects(
        armToken(sim, other),
        new RegExp(
          'AADSTS700213: No matching federated identity record found for presented assertion ' +
            "subject 'sc:\\/\\/simorg\\/",
        ),
      );
    },
  );

  it('managed identity through AZURE_POD_IDENTITY_AUTHORITY_HOST', async () => {
    const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = sim.info.msiAuthorityHost;
    try {
      const cred = new ManagedIdentityCredential({ clientId: sim.info.principals.msi.clientId });
      const token = await armToken(sim, cred);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      assert.strictEqual(claims.oid, sim.info.principals.msi.objectId);
      const rg = await resourcesClient(sim, cred).resourceGroups.createOrUpdate('rg-msi', {
        location: 'westeurope',
      });
      assert.strictEqual(rg.name, 'rg-msi');
    } finally {
      if (saved === undefined) delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
      else process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved;
    }
    assert.ok(sim.state().tokenGrants.managed_identity >= 1);
  });
});
