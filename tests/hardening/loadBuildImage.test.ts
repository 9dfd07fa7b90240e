import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startSimulator } from '../sim';
import type { Fault, RunningSim, StateDump } from '../sim';
import { baseResources, IMAGE_LINUX } from '../sim/domain/support';
import { COMMON, inline, LINUX_URN, runBuildImage, templates } from '../e2e/buildImageFixtures';
import { ARM_LIMITS, describeRate, OperationType, rateOf, retriesOf } from './armRate';
import { tail } from './interrupt';

/**
 * Issue 16 §5 for BuildImage: a pipeline matrix of ten legs (one run, ten jobs with their own
 * System.JobId and leg name) building in parallel against one simulator, five of them packaging
 * the same folder. All succeed with ten templates, ten image versions and no name shared; the
 * Resource Manager requests of all ten (one principal, one subscription) stay inside Azure's
 * documented token buckets. With throttling on (429 + Retry-After on template reads and writes),
 * every 429 is retried once, never before Retry-After.
 *
 * Sized for a 2-CPU machine: builds take ~10 s of simulated time (timeScale 0.02) and poll every
 * 3 s (the task's default is 30 s, so the rate measured is ten times the real polling's).
 */
const LEGS = 10;
const SHARED_FOLDER_LEGS = 5;
const VERSION_TYPE = 'Microsoft.Compute/galleries/images/versions';

function sources(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-load-'));
  const folder = (name: string, text: string) => {
    fs.mkdirSync(path.join(root, name, 'scripts'), { recursive: true });
    fs.writeFileSync(path.join(root, name, 'scripts', 'setup.sh'), `#!/bin/sh\necho ${text}\n`);
    fs.writeFileSync(path.join(root, name, 'app.conf'), `${text}\n`.repeat(2000));
  };
  folder('shared', 'shared');
  for (let i = SHARED_FOLDER_LEGS; i < LEGS; i++) folder(`own-${i}`, `leg ${i}`);
  return root;
}

const leg = (i: number) => ({
  vars: {
    'Build.BuildId': '9100',
    'System.JobName': `Image_leg${i}`,
    'System.JobDisplayName': `Image leg${i}`,
    'Agent.JobName': `Image leg${i}`,
    'System.JobId': `9c0f0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  },
  inputs: {
    ...COMMON,
    pollInterval: '3s',
    sourceImage: LINUX_URN,
    galleryImageDefinitionId: IMAGE_LINUX,
    packagePath: i < SHARED_FOLDER_LEGS ? 'shared' : `own-${i}`,
    ...inline('echo "matrix leg"\nsleep 60'),
  },
});

async function matrix(sim: RunningSim, workdir: string, buildId: string) {
  const from = sim.state().requests.length;
  const started = Date.now();
  const runs = await Promise.all(
    Array.from({ length: LEGS }, (_, i) => {
      const l = leg(i);
      return runBuildImage(sim, l.inputs, {
        vars: { ...l.vars, 'Build.BuildId': buildId },
        workdir,
      });
    }),
  );
  const state = sim.state();
  return {
    runs,
    state,
    requests: state.requests.slice(from),
    seconds: (Date.now() - started) / 1000,
  };
}

function assertAllBuilt(m: Awaited<ReturnType<typeof matrix>>, before: StateDump): void {
  m.runs.forEach((r, i) => assert.strictEqual(r.result, 'Succeeded', `leg ${i}: ${tail(r)}`));
  const names = m.runs.map((r) => r.outputs.templateName);
  assert.strictEqual(new Set(names).size, LEGS, `ten template names: ${names.join(', ')}`);
  const versions = m.runs.map((r) => r.outputs.imageVersionId);
  assert.strictEqual(new Set(versions).size, LEGS, `ten versions: ${versions.join(', ')}`);
  const made = m.state.resources.filter((x) => x.type === VERSION_TYPE).length;
  const had = before.resources.filter((x) => x.type === VERSION_TYPE).length;
  assert.strictEqual(made - had, LEGS, 'ten image versions made');
  assert.deepStrictEqual(
    templates(m.state).filter((t) => names.includes(t.name)),
    [],
    'every template deleted',
  );
  const runsPosted = m.requests.filter(
    (q) => q.method === 'POST' && /\/imageTemplates\/[^/]+\/run\?/.test(q.path) && q.status < 400,
  );
  assert.strictEqual(runsPosted.length, LEGS, 'one build per leg');
}

function assertWithinLimits(rate: ReturnType<typeof rateOf>): void {
  for (const type of Object.keys(ARM_LIMITS) as OperationType[])
    assert.ok(
      rate.byType[type].lowestTokens >= 0,
      `${type}: the token bucket ran dry (${rate.byType[type].lowestTokens})`,
    );
}

describe('hardening: load, ten BuildImage legs of a matrix in parallel', function () {
  this.timeout(300_000);
  const noted: string[] = [];
  let workdir: string;
  before(() => {
    workdir = sources();
  });
  after(() => {
    console.log(noted.map((n) => `      ${n}`).join('\n'));
    fs.rmSync(workdir, { recursive: true, force: true });
  });

  it("all ten succeed, no name shared, the ARM request rate inside Azure's limits", async () => {
    const sim = await startSimulator({ scenario: { timeScale: 0.02, resources: baseResources() } });
    try {
      const before = sim.state();
      const m = await matrix(sim, workdir, '9100');
      assertAllBuilt(m, before);
      const rate = rateOf(m.requests);
      noted.push(`${describeRate('ten legs', rate)}; wall ${m.seconds.toFixed(1)} s`);
      assertWithinLimits(rate);
    } finally {
      await sim.stop();
    }
  });

  it(
    'with throttling on: all ten succeed, every 429 retried once and never before ' + 'Retry-After',
    async () => {
      const faults: Fault[] = [
        { method: 'GET', path: '/imageTemplates/gip-', status: 429, retryAfter: 2, times: 20 },
        { method: 'PUT', path: '/imageTemplates/gip-', status: 429, retryAfter: 2, times: 5 },
      ];
      const sim = await startSimulator({
        scenario: { timeScale: 0.02, resources: baseResources(), faults },
      });
      try {
        const before = sim.state();
        const m = await matrix(sim, workdir, '9200');
        assertAllBuilt(m, before);
        const rate = rateOf(m.requests);
        const retries = retriesOf(m.requests, 2);
        noted.push(
          `${describeRate('ten legs, throttled', rate, retries)}; wall ${m.seconds.toFixed(1)} s`,
        );
        assert.strictEqual(retries.throttled, 25, 'every injected 429 was met');
        assert.strictEqual(retries.early, 0, 'no retry before Retry-After');
        assert.deepStrictEqual(
          retries.retriesPer429.filter((n) => n !== 1),
          [],
          'each 429 retried exactly once',
        );
        assertWithinLimits(rate);
      } finally {
        await sim.stop();
      }
    },
  );
});
