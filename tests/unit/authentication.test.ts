import * as assert from 'assert';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AuthKind, ConnectionSpec, endpointEnv, inputEnv } from '../../scripts/agentEnv';
import { runNode } from '../support/taskProcess';

const PROBE = path.join(__dirname, 'fixtures', 'connectionProbe.js');
const CONNECTION_ID = '0f2b5c1e-7d3a-4e6b-9c8d-1a2b3c4d5e6f';

/**
 * A PEM holding a private key and a (placeholder) certificate block, the shape the agent passes.
 */
function certificatePem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return `${key}-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n`;
}

const WIF_ENV = {
  SYSTEM_OIDCREQUESTURI:
    'https://dev.azure.com/org/p/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken',
  ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({
    scheme: 'OAuth',
    parameters: { AccessToken: 'job-access-token' },
  }),
  ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: 'job-access-token',
};

/** The agent's environment for the probe with one connection of kind `auth`. */
function baseEnv(auth: AuthKind, temp: string): Record<string, string> {
  const spec: ConnectionSpec = {
    id: CONNECTION_ID,
    auth,
    tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    clientId: '11111111-2222-3333-4444-555555555555',
    secret: 's3cr3t-value',
    certificatePem: certificatePem(),
    subscriptionId: 'c1d2e3f4-0000-4000-8000-000000000001',
    subscriptionName: 'Golden images',
    armUrl: 'https://management.usgovcloudapi.net/',
    authorityHost: 'https://login.microsoftonline.us/',
    environment: 'AzureUSGovernment',
  };
  return {
    ...inputEnv({ azureSubscription: CONNECTION_ID }),
    ...endpointEnv(spec),
    AGENT_TEMPDIRECTORY: temp,
  };
}

function probe(auth: AuthKind, extraEnv: Record<string, string> = {}) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-auth-'));
  const run = runNode(PROBE, { ...baseEnv(auth, temp), ...extraEnv }, temp);
  const line = (tag: string) => {
    const m = new RegExp(`^${tag} (.*)$`, 'm').exec(run.stdout);
    assert.ok(m, `no ${tag} line in:\n${run.stdout}`);
    return JSON.parse(m[1]);
  };
  return { run, probe: line('PROBE'), temp };
}

describe("authentication: the agent environment's service connection -> credential", function () {
  this.timeout(30_000);

  it('a service principal secret builds a ClientSecretCredential for the connection cloud', () => {
    const { run, probe: p } = probe('sp');
    assert.strictEqual(run.result, 'Succeeded');
    assert.strictEqual(p.credential, 'ClientSecretCredential');
    assert.strictEqual(p.scheme, 'ServicePrincipalSecret');
    assert.strictEqual(p.hasSecret, true);
    assert.strictEqual(p.authorityHost, 'https://login.microsoftonline.us/');
    assert.strictEqual(p.endpoint, 'https://management.usgovcloudapi.net');
    assert.strictEqual(p.scope, 'https://management.usgovcloudapi.net/.default');
    assert.strictEqual(p.subscriptionId, 'c1d2e3f4-0000-4000-8000-000000000001');
    assert.ok(
      /##vso\[task\.setsecret\]s3cr3t-value/.test(run.stdout),
      'the secret is registered as secret',
    );
    assert.strictEqual(
      p.graph,
      'https://graph.microsoft.us/',
      "Microsoft Graph of the connection's cloud",
    );
  });

  it("Microsoft Graph is the connection's own microsoftGraphUrl when it names one", () => {
    const { run, probe: p } = probe('sp', {
      [`ENDPOINT_DATA_${CONNECTION_ID}_MICROSOFTGRAPHURL`]: 'https://dod-graph.microsoft.us/',
    });
    assert.strictEqual(run.result, 'Succeeded');
    assert.strictEqual(p.graph, 'https://dod-graph.microsoft.us/');
  });

  it(
    'service principal with certificate builds a ClientCertificateCredential from the PEM in ' +
      'memory: nothing is written to disk, and its key is registered as secret',
    () => {
      const { run, probe: p, temp } = probe('sp-cert', { PROBE_FAIL: '1' });
      assert.strictEqual(run.result, 'Failed', 'the probe fails after connecting');
      assert.strictEqual(p.credential, 'ClientCertificateCredential');
      assert.strictEqual(p.scheme, 'ServicePrincipalCertificate');
      assert.strictEqual(p.hasCertificate, true);
      // task-lib's own .taskkey (the probe runs there) is all the folder holds.
      assert.deepStrictEqual(
        fs.readdirSync(temp).filter((f) => f !== '.taskkey'),
        [],
        'nothing written to the agent temp folder',
      );
      assert.ok(/##vso\[task\.setsecret\]/.test(run.stdout), 'the key lines are registered');
    },
  );

  it(
    'workload identity federation builds an AzurePipelinesCredential with the job access ' +
      'token (System.OidcRequestUri asked for the OIDC token)',
    () => {
      const { run, probe: p } = probe('wif', WIF_ENV);
      assert.strictEqual(run.result, 'Succeeded', run.stdout);
      assert.strictEqual(p.credential, 'AzurePipelinesCredential');
      assert.strictEqual(p.scheme, 'WorkloadIdentityFederation');
      assert.strictEqual(p.hasSystemAccessToken, true);
      assert.strictEqual(p.clientId, '11111111-2222-3333-4444-555555555555');
      assert.ok(run.stdout.includes('##vso[task.setsecret]job-access-token'));
    },
  );

  it('workload identity federation with no OIDC request URI to be had fails naming it', () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-auth-'));
    const env: Record<string, string> = { ...baseEnv('wif', temp), ...WIF_ENV };
    delete env.SYSTEM_OIDCREQUESTURI;
    const run = runNode(PROBE, env, temp);
    assert.strictEqual(run.result, 'Failed');
    assert.match(
      run.message ?? '',
      /^Input 'azureSubscription': .*workload identity federation.*System\.OidcRequestUri/,
    );
  });

  it('a service connection the agent did not give the task fails naming the input', () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-auth-'));
    const run = runNode(PROBE, { ...inputEnv({ azureSubscription: 'nope' }) }, temp);
    assert.strictEqual(run.result, 'Failed');
    assert.match(
      run.message ?? '',
      /^Input 'azureSubscription': service connection 'nope' could not/,
    );
  });

  it('an Azure Stack Hub connection is refused naming what it lacks', () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-auth-'));
    const env = { ...baseEnv('sp', temp) };
    env[`ENDPOINT_DATA_${CONNECTION_ID}_ENVIRONMENT`] = 'AzureStack';
    const run = runNode(PROBE, env, temp);
    assert.strictEqual(run.result, 'Failed');
    assert.match(run.message ?? '', /Azure Stack Hub, which has none of the services/);
  });

  it('managed identity builds a ManagedIdentityCredential with the connection client id', () => {
    const { run, probe: p } = probe('msi');
    assert.strictEqual(run.result, 'Succeeded');
    assert.strictEqual(p.credential, 'ManagedIdentityCredential');
    assert.strictEqual(p.scheme, 'ManagedServiceIdentity');
    assert.strictEqual(p.clientId, '11111111-2222-3333-4444-555555555555');
  });

  it('an unsupported scheme fails naming the connection and what is supported', () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-auth-'));
    const run = runNode(
      PROBE,
      {
        ...inputEnv({ azureSubscription: CONNECTION_ID }),
        [`ENDPOINT_URL_${CONNECTION_ID}`]: 'https://management.azure.com/',
        [`ENDPOINT_AUTH_${CONNECTION_ID}`]: JSON.stringify({
          parameters: { tenantid: 't' },
          scheme: 'UsernamePassword',
        }),
        [`ENDPOINT_AUTH_SCHEME_${CONNECTION_ID}`]: 'UsernamePassword',
        [`ENDPOINT_AUTH_PARAMETER_${CONNECTION_ID}_TENANTID`]: 't',
        [`ENDPOINT_DATA_${CONNECTION_ID}_SUBSCRIPTIONID`]: 'sub',
        AGENT_TEMPDIRECTORY: temp,
      },
      temp,
    );
    assert.strictEqual(run.result, 'Failed');
    assert.match(run.message ?? '', /UsernamePassword.*service principal/);
  });
});
