import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { registerSecret } from './logger';
import { InputReader } from '../core/inputReader';

/**
 * Task inputs through task-lib (which already resolved aliases and variables).
 *
 * The agent roots every `filePath` input against the sources folder, so one left empty arrives as
 * that folder itself; such a value reads as unset (task-lib's `filePathSupplied` rule), or an empty
 * templateFile would look like a template at the repository root.
 */
export function pipelineInputs(): InputReader {
  const roots = ['Build.SourcesDirectory', 'System.DefaultWorkingDirectory']
    .map((v) => tl.getVariable(v))
    .filter((v): v is string => !!v)
    .map(normalise);
  return new InputReader({
    get: (name) => {
      const value = tl.getInput(name, false) || undefined;
      return value && path.isAbsolute(value.trim()) && roots.includes(normalise(value.trim()))
        ? undefined
        : value;
    },
    secret: registerSecret,
  });
}

function normalise(p: string): string {
  const resolved = path.resolve(p).replace(/[\\/]+$/, '');
  return process.platform === 'win32' ? resolved.toLowerCase() : resolved;
}
