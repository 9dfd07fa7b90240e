// The simulator's entry point for tests and tools (contract: /work/briefs/sim-api.md).
import { modules } from './modules';
import { createSimulator } from './sim';
import type { RunningSim, Scenario } from './types';

export type {
  BuildRecord,
  ClientSpec,
  Fault,
  RecordedRequest,
  RunningSim,
  Scenario,
  SessionHostBehaviourSpec,
  SessionHostUpdateBehaviourSpec,
  SimInfo,
  StateDump,
  StateResource,
  UserSessionEvent,
} from './types';
export { SIM_IDS } from './sim';
export { DEVOPS_DEFAULTS } from './devops/endpoint';
export { trustingHttpClient, trustingStorageHttpClient } from './core/trustingHttpClient';

/**
 * Starts the simulator on loopback; `stop()` closes every listener and removes its temporary files.
 */
export function startSimulator(
  opts: { scenario?: Scenario; log?: (line: string) => void } = {},
): Promise<RunningSim> {
  return createSimulator(modules, opts);
}
