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

function probe(auth: AuthKind, extraEnv: Record<string, string> = {}) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-auth-'));
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
  const run = runNode(
    PROBE,
    {
      ...inputEnv({ azureSubscription: CONNECTION_ID }),
      ...endpointEnv(spec),
      AGENT_TEMPDIRECTORY: temp,
      ...extraEnv,
    },
    temp,
  );
  const line = (tag: string) => {
    const m = new RegExp(`^${tag} (.*)$`, 'm').exec(run.stdout);
    assert.ok(m, `no ${tag} line in:\n${run.stdout}`);
    return JSON.parse(m[1]);
  };
  return { run, probe: line('PROBE'), after: line('PROBE_AFTER'), temp };
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
    'service principal with certificate builds a ClientCertificateCredential and removes the ' +
      'PEM afterwards',
    () => {
      const { run, probe: p, after } = probe('sp-cert');
      assert.strictEqual(run.result, 'Succeeded');
      assert.strictEqual(p.credential, 'ClientCertificateCredential');
      assert.strictEqual(p.scheme, 'ServicePrincipalCertificate');
      assert.strictEqual(
        p.certificateWritten,
        true,
        'azure-arm-rest wrote the PEM to the temp folder',
      );
      assert.strictEqual(after.certificateLeft, false, 'the PEM is deleted when the task ends');
    },
  );

  it('the certificate PEM is removed when the task fails too', () => {
    const { run, probe: p, after, temp } = probe('sp-cert', { PROBE_FAIL: '1' });
    assert.strictEqual(run.result, 'Failed');
    assert.strictEqual(p.certificateWritten, true);
    assert.strictEqual(after.certificateLeft, false);
    assert.deepStrictEqual(
      fs.readdirSync(temp).filter((f) => f.endsWith('.pem')),
      [],
    );
  });

  it(
    'workload identity federation builds a ClientAssertionCredential fed by the pipeline ' +
      'OIDC token',
    () => {
      const { run, probe: p } = probe('wif', {
        SYSTEM_COLLECTIONURI: 'https://dev.azure.com/org/',
        SYSTEM_TEAMPROJECTID: 'p',
        SYSTEM_PLANID: 'plan',
        SYSTEM_JOBID: 'job',
        SYSTEM_HOSTTYPE: 'build',
      });
      assert.strictEqual(run.result, 'Succeeded');
      assert.strictEqual(p.credential, 'ClientAssertionCredential');
      assert.strictEqual(p.scheme, 'WorkloadIdentityFederation');
      assert.strictEqual(p.hasFederatedTokenSource, true);
      assert.strictEqual(p.clientId, '11111111-2222-3333-4444-555555555555');
    },
  );

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
