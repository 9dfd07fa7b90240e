/** A step of the demo pipeline (demo.ts) and what steps hand on to the next ones. */
import type { AuthKind } from '../agentEnv';
import type { TaskName } from '../tasks';
import type { StateDump } from '../../tests/sim';

/** Each step's output variables by step name: `$(step.var)` in a pipeline. */
export type Outputs = Record<string, Record<string, string>>;

export interface Step {
  /** Its name, which its output variables are read under. */
  name: string;
  title: string;
  task: TaskName;
  /** The service connection's kind of authentication. */
  auth: AuthKind;
  inputs: (previous: Outputs) => Record<string, string>;
  /** Checks on the simulator's state after the step succeeded: what is wrong, if anything. */
  verify?: (state: StateDump, outputs: Record<string, string>) => string | undefined;
}
