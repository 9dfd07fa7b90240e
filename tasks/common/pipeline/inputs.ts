import * as tl from 'azure-pipelines-task-lib/task';
import { InputReader } from '../core/inputReader';

/** Task inputs through task-lib (which already resolved aliases and variables). */
export function pipelineInputs(): InputReader {
  return new InputReader({
    get: (name) => tl.getInput(name, false) || undefined,
    secret: (value) => tl.setSecret(value),
  });
}
