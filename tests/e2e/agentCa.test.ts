import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  artifactBlobs,
  inline,
  LINUX,
  runBuildImage,
  scenario,
  simulatorFor,
} from './buildImageFixtures';

/**
 * An agent behind a TLS-inspecting proxy trusts its corporate CA through the agent's certificate
 * settings (Agent.CAInfo), not NODE_EXTRA_CA_CERTS: Resource Manager, the token endpoint and the
 * blob service (artifact uploads) must all trust it.
 */
describe('e2e: an agent trusting its CA through Agent.CAInfo only', function () {
  this.timeout(120_000);
  const world = simulatorFor(scenario());
  let root: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-agent-ca-'));
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('BuildImage uploads its artifacts and builds', async () => {
    const dir = path.join(root, 'tools');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'setup.sh'), 'echo setup\n');
    const r = await runBuildImage(
      world.sim,
      { ...LINUX, ...inline('echo "ca"'), packagePath: dir, keepArtifacts: 'true' },
      {
        vars: { 'Agent.CAInfo': world.sim.info.caCertPath },
        env: { NODE_EXTRA_CA_CERTS: '' },
      },
    );
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    assert.strictEqual((await artifactBlobs(world.sim, r.state)).length, 1);
  });
});
