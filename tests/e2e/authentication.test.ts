import * as assert from 'assert';
import { DEFAULT_CONNECTION_ID, runTask } from '../../scripts/runner/runner';
import { AuthKind } from '../../scripts/agentEnv';
import { LogView } from '../../scripts/demo/logView';
import { RunningSim, startSimulator } from '../sim';

/** A task run through the runner, against the simulator, with each kind of service connection. */
describe('e2e: every kind of service connection signs in and calls Resource Manager', function () {
  this.timeout(60_000);
  let sim: RunningSim;
  before(async () => {
    sim = await startSimulator();
  });
  after(async () => {
    await sim?.stop();
  });

  const cases: { auth: AuthKind; title?: string; env?: Record<string, string> }[] = [
    { auth: 'sp' },
    { auth: 'sp-cert' },
    { auth: 'wif' },
    {
      auth: 'wif',
      title: 'wif on an agent that does not set System.OidcRequestUri (built from the job)',
      env: { SYSTEM_OIDCREQUESTURI: '' },
    },
    { auth: 'msi' },
  ];
  for (const { auth, title, env } of cases) {
    const name = `--auth ${title ?? auth}`;
    it(`${name}: signs in, its ARM calls succeed, the task reads Azure`, async () => {
      const before = sim.state().requests.length;
      const grants = sim.state().tokenGrants.devops_oidc ?? 0;
      const run = await runTask({
        task: 'AttachGalleryToDevCenter',
        auth,
        sim,
        env,
        inputs: {
          devCenter:
            `/subscriptions/${sim.info.subscriptionId}/resourceGroups/rg/providers` +
            '/Microsoft.DevCenter/devcenters/dc-none',
          gallery:
            `/subscriptions/${sim.info.subscriptionId}/resourceGroups/rg/providers` +
            '/Microsoft.Compute/galleries/gal_images',
        },
      });
      const requests = run.state.requests.slice(before);
      assert.ok(
        requests.some(
          (r) =>
            r.method === 'GET' &&
            /\/providers\/Microsoft\.DevCenter\?api-version=/i.test(r.path) &&
            r.status === 200,
        ),
        `no authenticated provider read in ${JSON.stringify(requests)}\n${run.stdout}`,
      );
      assert.strictEqual(run.result, 'Failed', run.stdout);
      if (auth === 'wif')
        assert.ok(run.state.tokenGrants.devops_oidc > grants, 'signed in with an OIDC token');
      // Signed in: the dev center is looked up, and named as missing.
      assert.match(run.message ?? '', /dc-none/);
      const shown = new LogView({ debug: true }).push(`${run.stdout}\n`).join('\n');
      for (const secret of [
        sim.info.principals.sp.secret,
        ...sim.info.principals.spCert.certificatePem.split('\n').filter((l) => l.length > 40),
      ]) {
        assert.ok(!shown.includes(secret), 'no secret is shown in the log, debug lines included');
      }
    });
  }

  it(
    'a wrong client secret fails with a message that points at the service connection, ' +
      'before any ARM call',
    async () => {
      const before = sim.state().requests.length;
      const run = await runTask({
        task: 'UpdateHostPool',
        auth: 'sp',
        sim,
        // Well-formed inputs: they are read first, so the sign-in is what fails.
        inputs: {
          hostPool: 'hp-any',
          resourceGroup: 'rg-any',
          image:
            `/subscriptions/${sim.info.subscriptionId}/resourceGroups/rg/providers` +
            '/Microsoft.Compute/galleries/g/images/d/versions/1.0.0',
        },
        env: {
          [`ENDPOINT_AUTH_PARAMETER_${DEFAULT_CONNECTION_ID}_SERVICEPRINCIPALKEY`]:
            'not-the-secret',
        },
      });
      assert.strictEqual(run.result, 'Failed', run.stdout);
      assert.match(
        run.message ?? '',
        new RegExp(
          "Sign-in to Microsoft Entra failed \\(AADSTS7000215\\): the service connection's " +
            'client secret is wrong or has expired',
        ),
      );
      assert.strictEqual(run.state.requests.slice(before).filter((r) => r.status < 400).length, 0);
    },
  );
});
