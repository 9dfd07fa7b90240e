import * as assert from 'assert';
import { RG } from '../sim/domain/support';
import {
  assignment,
  CONNECTION,
  inline,
  LINUX,
  rbacResources,
  ROLES,
  runBuildImage,
  scenario,
  simulatorFor,
  SUBSCRIPTION,
} from './buildImageFixtures';

/**
 * Role assignments are not in effect at once in Azure (up to about 10 minutes): the first build
 * in a new resource group, whose identity the task has just been granted, can fail
 * AuthorizationFailed. The task builds again while its own new grants may still be propagating,
 * and says so.
 */
describe('e2e: BuildImage while its new role assignments propagate', function () {
  this.timeout(120_000);
  // 1,500 nominal seconds at 0.003: new assignments count after 4.5 s.
  const world = simulatorFor(
    scenario({
      rbac: true,
      rbacPropagationSeconds: 1500,
      resources: rbacResources(
        assignment(SUBSCRIPTION, ROLES.reader, CONNECTION.objectId),
        assignment(RG, ROLES.owner, CONNECTION.objectId),
      ),
    }),
  );

  it('builds again after AuthorizationFailed on its just-made grants, and says why', async () => {
    const r = await runBuildImage(world.sim, {
      ...LINUX,
      managedIdentity: '',
      pollInterval: '500ms',
      ...inline('echo "propagation"'),
    });
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    assert.match(
      r.stdout,
      /role assignments made \d+ s ago may not be in effect yet \(Azure takes up to 10 minutes\)/,
    );
    const runs = r.state.requests.filter(
      (q) => q.method === 'POST' && /\/imageTemplates\/[^/]+\/run\?/i.test(q.path),
    );
    assert.ok(runs.length >= 2, `builds started: ${runs.length}`);
    assert.match(r.outputs.imageVersionId ?? '', /\/images\/ubuntu\/versions\/1\.0\.0$/);
  });
});
