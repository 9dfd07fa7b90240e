/**
 * `start`: what `build` does up to starting the run. The build runs on without this job, and a
 * later job's `wait` follows and finishes it, so a hosted agent's job time limit no longer ends
 * it. The uploads stay for the build; `wait` deletes them.
 */
import { buildClients } from '../clients';
import { launch } from '../run/launch';
import { BuildResult } from '../run/outcome';
import { ActionResult, BuildOptions } from './action';
import { prepare } from './prepare';

export type StartOutputs = {
  /** The template's name: the templateName input of the `wait` that follows it. */
  templateName: string;
  /** Running; or how a build this job started earlier ended. */
  runState: string;
};

/** The build started; or, when this job's build succeeded earlier, its outcome as `build`'s. */
export type StartResult = ActionResult<StartOutputs> | BuildResult;

export async function start(o: BuildOptions): Promise<StartResult> {
  const started = Date.now();
  const clients = buildClients(o.azure);
  const p = await prepare({ ...o, clients });
  const launched = await launch({ ...o, clients, prepared: p, started });
  if ('earlier' in launched) return launched.earlier;
  o.log.info(
    `The build of ${p.name} runs on without this job. Follow and finish it in a later job ` +
      `with action: wait, templateName: ${p.name}.`,
  );
  return {
    result: 'Succeeded',
    message: `Started the Image Builder build of template ${p.name}.`,
    outputs: { templateName: p.name, runState: launched.runState },
  };
}
