import * as assert from 'assert';
import { DrainedHost, OldHost } from '../../../../tasks/common/hostpool/execute/drain';
import { waitSessionsEnd } from '../../../../tasks/common/hostpool/execute/sessions';
import { RunningSim } from '../../../sim';
import { baseResources, POOL, poolResource, startPoolSim, testContext, vmId } from './execSupport';

function host(name: string): any {
  return {
    id: `${POOL}/sessionHosts/${name}`,
    type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
    properties: { resourceId: vmId(name), status: 'Available', allowNewSession: false },
  };
}
function session(hostName: string, id: string, upn: string, state = 'Active'): any {
  return {
    id: `${POOL}/sessionHosts/${hostName}/userSessions/${id}`,
    type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions',
    properties: { userPrincipalName: upn, sessionState: state },
  };
}
const old = (name: string, sessions: number): OldHost => ({
  name,
  status: 'Available',
  allowNewSession: false,
  sessions,
  vm: { id: vmId(name), tags: {}, parts: { nics: [], disks: [] } },
});

describe('hostpool/execute/sessions: drain time, messages and sign-out', function () {
  this.timeout(30_000);
  let sim: RunningSim;
  afterEach(async () => sim?.stop());

  const calls = (re: RegExp) =>
    sim
      .state()
      .requests.filter((r) => r.method !== 'GET' && re.test(r.path))
      .map((r) => ({ path: r.path, body: r.body }));

  it(
    'messages at the drain and logOffWarning before the timeout; a Disconnected session has ' +
      'not ended and is signed out at the timeout; a session that ends frees its host',
    async () => {
      sim = await startPoolSim({
        resources: [
          ...baseResources(),
          poolResource(),
          host('o-1'),
          host('o-2'),
          session('o-1', '1', 'ana@contoso.com'),
          session('o-1', '2', 'bo@contoso.com', 'Disconnected'),
          session('o-2', '3', 'cy@contoso.com'),
        ],
      });
      const { ctx, log } = testContext(sim, { pollIntervalMs: 100 });
      const drainedAt = Date.now();
      const hosts: DrainedHost[] = [
        { host: old('o-1', 2), drainedAt, fresh: true },
        { host: old('o-2', 1), drainedAt, fresh: true },
      ];
      // cy signs out by herself after 400 ms.
      setTimeout(() => {
        void ctx.avd.userSessions.delete('rg-avd', 'hp1', 'o-2', '3');
      }, 400);
      const r = await waitSessionsEnd({
        ctx,
        hosts,
        drainTimeoutMs: 2000,
        logOffWarningMs: 1000,
        logOffMessage: 'Please save your work.',
        forceLogOff: 'afterDrainTimeout',
      });
      const took = Date.now() - drainedAt;
      assert.ok(took >= 2000 && took < 4000, `took ${took}`);
      assert.deepStrictEqual(r.ended, ['o-2']);
      assert.deepStrictEqual(r.signedOut, [
        { host: 'o-1', users: ['ana@contoso.com', 'bo@contoso.com'] },
      ]);
      const messages = calls(/sendMessage/);
      // 3 at the drain (ana, bo, cy), 2 at the warning (cy has gone).
      assert.strictEqual(messages.length, 5);
      assert.strictEqual(r.messages, 5);
      assert.match(messages[4].body.messageBody, /Please save your work\. You will be signed out/);
      const signOuts = calls(/userSessions\/[12]\?/);
      assert.strictEqual(signOuts.length, 2);
      assert.ok(signOuts.every((s) => /force=true/.test(s.path)));
      assert.ok(
        log.lines.some((l) => /o-1 2 session\(s\), \d/.test(l)),
        'progress is printed',
      );
    },
  );

  it('forceLogOff never: the host stays drained, the run warns naming it', async () => {
    sim = await startPoolSim({
      resources: [...baseResources(), poolResource(), host('o-1'), session('o-1', '1', 'ana@x')],
    });
    const { ctx } = testContext(sim, { pollIntervalMs: 100 });
    const r = await waitSessionsEnd({
      ctx,
      hosts: [{ host: old('o-1', 1), drainedAt: Date.now(), fresh: true }],
      drainTimeoutMs: 500,
      logOffWarningMs: 200,
      logOffMessage: 'bye',
      forceLogOff: 'never',
    });
    assert.deepStrictEqual(r.leftDrained, [{ host: 'o-1', sessions: 1 }]);
    assert.deepStrictEqual(calls(/userSessions\/1\?/), [], 'nobody signed out');
    assert.strictEqual(ctx.run.result(), 'SucceededWithIssues');
    assert.match(ctx.run.warnings[0], /o-1.*stays drained/);
  });

  it('a resumed drain times out from its drained tag and sends no first message', async () => {
    sim = await startPoolSim({
      resources: [...baseResources(), poolResource(), host('o-1'), session('o-1', '1', 'ana@x')],
    });
    const { ctx } = testContext(sim, { pollIntervalMs: 100 });
    const started = Date.now();
    const r = await waitSessionsEnd({
      ctx,
      hosts: [{ host: old('o-1', 1), drainedAt: started - 60 * 60_000 + 500, fresh: false }],
      drainTimeoutMs: 60 * 60_000,
      logOffWarningMs: 5 * 60_000,
      logOffMessage: 'bye',
      forceLogOff: 'afterDrainTimeout',
    });
    const took = Date.now() - started;
    assert.ok(took >= 400 && took < 2500, `took ${took}`);
    assert.deepStrictEqual(r.signedOut, [{ host: 'o-1', users: ['ana@x'] }]);
    assert.strictEqual(calls(/sendMessage/).length, 1, 'only the warning (inside its window)');
  });

  it('hosts with nothing to drain are done without a read', async () => {
    sim = await startPoolSim({ resources: [...baseResources(), poolResource()] });
    const { ctx } = testContext(sim);
    const r = await waitSessionsEnd({
      ctx,
      hosts: [{ host: old('o-9', 0), fresh: false }],
      drainTimeoutMs: 1000,
      logOffWarningMs: 100,
      logOffMessage: 'x',
      forceLogOff: 'afterDrainTimeout',
    });
    assert.deepStrictEqual(r.ended, ['o-9']);
    assert.strictEqual(sim.state().requests.length, 0);
  });
});
