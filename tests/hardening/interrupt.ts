/**
 * Stops a task run at a named point, the way a pipeline loses or cancels a job: SIGKILL (an agent
 * lost, a hosted job's time limit) or the agent's cancel (SIGINT, SIGTERM 7.5 s later, a kill 5 s
 * after that, as scripts/runner does it). The point is reached by watching the task's output and
 * the simulator's state, never by a fixed sleep.
 */
import * as assert from 'assert';
import { CANCEL_GRACE_MS, RunOptions, RunResult } from '../../scripts/runner/runner';
import type { RecordedRequest, RunningSim, StateDump } from '../sim';

/**
 * What a kill point watches: the task's output so far and the simulator's state now, its
 * `requests` only those made since this run started.
 */
export interface Seen {
  output: string;
  state(): StateDump;
}

export interface KillPoint {
  /** Says where the task is (`template created, build not started`). */
  name: string;
  reached(seen: Seen): boolean;
}

/** How the run is stopped at the point. */
export type Stop = 'SIGKILL' | 'cancel';

export interface Interrupted {
  run: RunResult;
  /** Milliseconds from the stop (SIGKILL or SIGINT) to the task process's end. */
  endedAfterMs: number;
}

/** How often the simulator's state is read while waiting for a point. */
const WATCH_MS = 50;

/**
 * Runs `start` (a runner call) and stops it with `stop` once `point` is reached; fails when the
 * run ends before the point does.
 */
export async function interruptAt(
  sim: RunningSim,
  point: KillPoint,
  stop: Stop,
  start: (o: Pick<RunOptions, 'kill' | 'signal' | 'onOutput'>) => Promise<RunResult>,
): Promise<Interrupted> {
  const controller = new AbortController();
  let output = '';
  let stoppedAt = 0;
  const from = sim.state().requests.length;
  const seen: Seen = {
    output: '',
    state: () => {
      const s = sim.state();
      return { ...s, requests: s.requests.slice(from) };
    },
  };
  const check = () => {
    if (stoppedAt) return;
    seen.output = output;
    if (point.reached(seen)) {
      stoppedAt = Date.now();
      controller.abort();
    }
  };
  let ended = false;
  const running = start({
    ...(stop === 'SIGKILL' ? { kill: controller.signal } : { signal: controller.signal }),
    onOutput: (chunk) => {
      output += chunk;
      check();
    },
  }).finally(() => {
    ended = true;
  });
  while (!ended && !stoppedAt) {
    check();
    await new Promise((r) => setTimeout(r, WATCH_MS));
  }
  const run = await running;
  assert.ok(stoppedAt, `the run ended before "${point.name}" was reached:\n${tail(run)}`);
  return { run, endedAfterMs: Date.now() - stoppedAt };
}

/** The agent's window for a cancelled task: SIGINT, SIGTERM 7.5 s later, a kill 5 s after. */
export const AGENT_WINDOW_MS = CANCEL_GRACE_MS + 5_000;

/** Asserts a cancel ended the task Cancelled before the agent would have killed it. */
export function assertCancelledInWindow(i: Interrupted, point: KillPoint): void {
  assert.strictEqual(i.run.result, 'Cancelled', `${point.name}: ${tail(i.run)}`);
  assert.ok(
    i.endedAfterMs < AGENT_WINDOW_MS,
    `${point.name}: ended ${i.endedAfterMs} ms after SIGINT, past the agent's window`,
  );
}

/** Asserts SIGKILL stopped the task before it reported a result. */
export function assertKilled(i: Interrupted, point: KillPoint): void {
  assert.strictEqual(i.run.result, undefined, `${point.name}: killed, no task.complete`);
}

/** Waits until `check` holds on the simulator's state (60 s at most). */
export async function until(
  sim: RunningSim,
  check: (s: StateDump) => boolean,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check(sim.state())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pathOf = (q: RecordedRequest) => q.path.split('?')[0].toLowerCase();

/** Requests of `method` whose path (no query) matches `re`, answered with a status below 400. */
export const answered = (state: StateDump, method: string, re: RegExp): RecordedRequest[] =>
  state.requests.filter((q) => q.method === method && q.status < 400 && re.test(pathOf(q)));

/** PUTs that created something (201) whose path matches `re`. */
export const created = (state: StateDump, re: RegExp): RecordedRequest[] =>
  state.requests.filter((q) => q.method === 'PUT' && q.status === 201 && re.test(pathOf(q)));

/** Resources still being created, updated or deleted (a long-running operation in flight). */
export const inFlight = (state: StateDump) =>
  state.resources.filter((r) =>
    ['Creating', 'Updating', 'Deleting', 'Accepted', 'Running'].includes(
      String(r.properties?.provisioningState ?? ''),
    ),
  );

/** The task's log without debug lines, its end: for assertion messages. */
export function tail(run: RunResult, lines = 40): string {
  const log = run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]'));
  return `${run.result ?? 'no result'}: ${run.message ?? ''}\n${log.slice(-lines).join('\n')}`;
}
