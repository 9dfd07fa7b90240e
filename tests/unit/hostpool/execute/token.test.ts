import * as assert from 'assert';
import {
  deleteCreatedToken,
  ensureToken,
  tokenLifetimeMs,
} from '../../../../tasks/common/hostpool/execute/token';
import { TOKEN_TAG } from '../../../../tasks/common/hostpool/tags';
import { RunningSim } from '../../../sim';
import {
  baseResources,
  poolResource,
  poolTags,
  startPoolSim,
  testContext,
  writes,
} from './execSupport';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function withToken(token: string, leftMs: number, tags: Record<string, string> = {}) {
  return poolResource(tags, {
    registrationInfo: {
      token,
      expirationTime: new Date(Date.now() + leftMs).toISOString(),
      registrationTokenOperation: 'Update',
    },
  });
}

describe('hostpool/execute/token: the registration token', function () {
  this.timeout(30_000);
  let sim: RunningSim;
  afterEach(async () => sim?.stop());

  it('a new token lives the expected length plus an hour, within 1 hour to 30 days', () => {
    assert.strictEqual(tokenLifetimeMs(3 * HOUR), 4 * HOUR);
    assert.strictEqual(tokenLifetimeMs(0), HOUR + 5 * 60_000, 'at least an hour, with slack');
    assert.strictEqual(tokenLifetimeMs(90 * DAY), 30 * DAY - 5 * 60_000, 'at most 30 days');
  });

  it("reuses the pool's token with 2 hours or more left: masked, no write", async () => {
    sim = await startPoolSim({
      resources: [...baseResources(), withToken('pool-token-1', 3 * HOUR)],
    });
    const { ctx, log } = testContext(sim);
    const t = await ensureToken({ ctx, expectedMs: 10 * HOUR });
    assert.strictEqual(t.token, 'pool-token-1');
    assert.strictEqual(t.created, false);
    assert.deepStrictEqual(log.secrets, ['pool-token-1']);
    assert.ok(!log.lines.some((l) => l.includes('pool-token-1')), 'never printed');
    assert.deepStrictEqual(writes(sim), ['POST ' + sim.state().requests[0].path.split('?')[0]]);
    assert.deepStrictEqual(poolTags(sim), {});
  });

  it('makes a new token when less than 2 hours are left; tags the pool; masks it', async () => {
    sim = await startPoolSim({
      resources: [...baseResources(), withToken('old-token', HOUR, { a: 'b' })],
    });
    const { ctx, log } = testContext(sim);
    const started = Date.now();
    const t = await ensureToken({ ctx, expectedMs: 5 * HOUR });
    assert.strictEqual(t.created, true);
    assert.notStrictEqual(t.token, 'old-token');
    assert.ok(log.secrets.includes(t.token), 'the new token is masked');
    assert.ok(!log.lines.some((l) => l.includes(t.token) || l.includes('old-token')));
    const life = t.expiresOn.getTime() - started;
    assert.ok(life >= 6 * HOUR - 60_000 && life <= 6 * HOUR + 60_000, `lifetime ${life}`);
    assert.deepStrictEqual(poolTags(sim), { a: 'b', [TOKEN_TAG]: 'created' });
    const patch = sim.state().requests.find((r) => r.method === 'PATCH');
    assert.strictEqual(
      patch?.body.properties.registrationInfo.registrationTokenOperation,
      'Update',
    );
    assert.ok(!JSON.stringify(patch?.body.tags).includes(t.token), 'the token is in no tag');
  });

  it('deletes a token it made, and its tag; leaves a token it did not make', async () => {
    sim = await startPoolSim({ resources: [...baseResources(), withToken('theirs', 5 * HOUR)] });
    const { ctx } = testContext(sim);
    assert.strictEqual(await deleteCreatedToken({ ctx }), false);
    assert.deepStrictEqual(writes(sim), [], 'not made by the task: no write');
    await sim.stop();

    sim = await startPoolSim({ resources: [...baseResources(), withToken('x', 30 * 60_000)] });
    const c2 = testContext(sim).ctx;
    await ensureToken({ ctx: c2, expectedMs: HOUR });
    assert.strictEqual(await deleteCreatedToken({ ctx: c2 }), true);
    assert.deepStrictEqual(poolTags(sim), {});
    const left = await c2.avd.hostPools.retrieveRegistrationToken('rg-avd', 'hp1');
    assert.strictEqual(left.token, undefined, 'the pool has no token any more');
  });
});
