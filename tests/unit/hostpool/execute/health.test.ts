import * as assert from 'assert';
import { hostName } from '../../../../tasks/common/hostpool/execute/context';
import { HealthGateError, waitHealthy } from '../../../../tasks/common/hostpool/execute/health';
import { RunningSim } from '../../../sim';
import { baseResources, POOL, poolResource, startPoolSim, testContext, vmId } from './execSupport';

function host(name: string, status: string, extra: any = {}): any {
  return {
    id: `${POOL}/sessionHosts/${name}`,
    type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
    properties: { resourceId: vmId(name), status, ...extra },
  };
}

const failedCheck = {
  sessionHostHealthCheckResults: [
    { healthCheckName: 'DomainJoinedCheck', healthCheckResult: 'HealthCheckSucceeded' },
    {
      healthCheckName: 'FSLogixHealthCheck',
      healthCheckResult: 'HealthCheckFailed',
      additionalFailureDetails: { message: 'profile share unreachable', errorCode: 5 },
    },
  ],
};

describe('hostpool/execute/health: the health gate against the simulator', function () {
  this.timeout(30_000);
  let sim: RunningSim;
  afterEach(async () => sim?.stop());

  it('passes when every new host is Available and healthy; one list read a poll', async () => {
    sim = await startPoolSim({
      resources: [
        ...baseResources(),
        poolResource(),
        host('n-1', 'Available'),
        host('n-2', 'Available'),
      ],
    });
    const { ctx } = testContext(sim);
    const r = await waitHealthy({ ctx, vmIds: [vmId('n-1'), vmId('n-2')], timeoutMs: 5000 });
    assert.deepStrictEqual(
      r.hosts.map((h) => hostName(h.name ?? '')),
      ['n-1', 'n-2'],
    );
    const lists = sim.state().requests.filter((q) => /\/sessionHosts\?/.test(q.path));
    assert.strictEqual(lists.length, 1, 'one list read for the whole batch');
  });

  it('fails at once on UpgradeFailed, naming the host, its status and failing check', async () => {
    sim = await startPoolSim({
      resources: [
        ...baseResources(),
        poolResource(),
        host('n-1', 'Available'),
        host('n-2', 'UpgradeFailed', failedCheck),
      ],
    });
    const { ctx } = testContext(sim);
    const started = Date.now();
    await assert.rejects(
      waitHealthy({ ctx, vmIds: [vmId('n-1'), vmId('n-2')], timeoutMs: 20_000 }),
      (err: Error) =>
        err instanceof HealthGateError &&
        /n-2 is UpgradeFailed/.test(err.message) &&
        /FSLogixHealthCheck: profile share unreachable/.test(err.message) &&
        !/n-1/.test(err.message),
    );
    assert.ok(Date.now() - started < 5000, 'no wait for the timeout');
  });

  it('times out after healthTimeout naming each host not healthy and why', async () => {
    sim = await startPoolSim({
      resources: [
        ...baseResources(),
        poolResource(),
        host('n-1', 'Unavailable'),
        host('n-2', 'Available', failedCheck),
      ],
    });
    const { ctx } = testContext(sim, { pollIntervalMs: 100 });
    const started = Date.now();
    await assert.rejects(
      waitHealthy({ ctx, vmIds: [vmId('n-1'), vmId('n-2'), vmId('n-3')], timeoutMs: 600 }),
      (err: Error) =>
        err instanceof HealthGateError &&
        /within healthTimeout/.test(err.message) &&
        /n-1 is Unavailable/.test(err.message) &&
        /n-2 is Available \(health check FSLogixHealthCheck/.test(err.message) &&
        /n-3 is not registered in the pool yet/.test(err.message),
    );
    const took = Date.now() - started;
    assert.ok(took >= 600 && took < 3000, `took ${took} ms`);
  });

  it('a cancel ends the wait at once', async () => {
    sim = await startPoolSim({
      resources: [...baseResources(), poolResource(), host('n-1', 'Unavailable')],
    });
    const { ctx, abort } = testContext(sim, { pollIntervalMs: 10_000 });
    setTimeout(() => abort.abort(), 300);
    const started = Date.now();
    await assert.rejects(
      waitHealthy({ ctx, vmIds: [vmId('n-1')], timeoutMs: 60_000 }),
      (err: Error) => /^(CancelledError|AbortError)$/.test(err.name),
    );
    assert.ok(Date.now() - started < 2000);
  });
});
