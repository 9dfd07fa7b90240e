// Shared ground of the execute/ tests: a simulator with one pooled host pool, and a rollout's
// ExecContext on it through the real SDK clients.
import { describeArmError } from '../../../../tasks/common/azure/armErrors';
import { Clock, systemClock } from '../../../../tasks/common/core/clock';
import { MemoryLogger } from '../../../../tasks/common/core/logger';
import { RunContext } from '../../../../tasks/common/core/runContext';
import { createExecContext, ExecContext } from '../../../../tasks/common/hostpool/execute/context';
import { simAzureContext } from '../../../e2e/simConnection';
import { RunningSim, SIM_IDS, Scenario, startSimulator } from '../../../sim';
import { PIPELINE } from '../../../support/pipelineInfo';

export const SUB = SIM_IDS.subscriptionId;
export const RG = `/subscriptions/${SUB}/resourceGroups/rg-avd`;
export const POOL = `${RG}/providers/Microsoft.DesktopVirtualization/hostPools/hp1`;
export const vmId = (name: string) => `${RG}/providers/Microsoft.Compute/virtualMachines/${name}`;

export function poolResource(tags: Record<string, string> = {}, properties: any = {}): any {
  return {
    id: POOL,
    type: 'Microsoft.DesktopVirtualization/hostPools',
    location: 'westeurope',
    tags,
    properties: {
      hostPoolType: 'Pooled',
      loadBalancerType: 'BreadthFirst',
      preferredAppGroupType: 'Desktop',
      ...properties,
    },
  };
}

export function baseResources(): any[] {
  return [{ id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' }];
}

export async function startPoolSim(scenario: Scenario): Promise<RunningSim> {
  return startSimulator({ scenario: { timeScale: 0.001, ...scenario } });
}

export interface TestContext {
  ctx: ExecContext;
  log: MemoryLogger;
  abort: AbortController;
}

/** A rollout's context on the simulator's hp1, logging to memory. */
export function testContext(
  sim: RunningSim,
  o: { clock?: Clock; pollIntervalMs?: number } = {},
): TestContext {
  const log = new MemoryLogger();
  const abort = new AbortController();
  const run = new RunContext({
    log,
    signal: abort.signal,
    pipeline: PIPELINE,
    describeError: describeArmError,
  });
  const ctx = createExecContext({
    azure: simAzureContext(sim.info, { maxRetries: 2, retryDelayInMs: 50, maxRetryDelayInMs: 200 }),
    run,
    pool: { id: POOL, subscriptionId: SUB, resourceGroup: 'rg-avd', name: 'hp1' },
    pollIntervalMs: o.pollIntervalMs ?? 50,
    clock: o.clock ?? systemClock,
  });
  return { ctx, log, abort };
}

/** A clock whose `now` runs `offsetMs` ahead of the system's (sleeps are real). */
export function aheadClock(offsetMs: number): Clock {
  return { now: () => Date.now() + offsetMs, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
}

/** Write requests (not GET) the simulator answered, as `METHOD path`. */
export function writes(sim: RunningSim, since = 0): string[] {
  return sim
    .state()
    .requests.slice(since)
    .filter((r) => r.method !== 'GET')
    .map((r) => `${r.method} ${r.path.split('?')[0]}`);
}

export function poolTags(sim: RunningSim): Record<string, string> {
  const pool = sim.state().resources.find((r) => r.id.toLowerCase() === POOL.toLowerCase());
  return (pool?.tags ?? {}) as Record<string, string>;
}
