/**
 * The Bicep CLI the agent has, run before anything is done in Azure: `bicep <command> <file>
 * --stdout`, else `az bicep <command> --file <file> --stdout` (Microsoft-hosted agents have both).
 * `build` makes a `.bicep` templateFile into the ARM template it becomes; `build-params` makes a
 * `.bicepparam` templateParameters into its parameter values (bicepParams.ts). The compiler is
 * Microsoft's; the task only runs it and reads its output. No CLI on the agent: refused, naming the
 * step that installs one; a compiler error: refused in the compiler's words.
 */
import { execFileSync } from 'child_process';
import { InputError } from '../../../core/errors';
import { onPath } from '../../../core/onPath';

/** The largest output read (the CLI's standard output). */
const MAX_OUTPUT = 64 * 1024 * 1024;

export function isBicep(file: string): boolean {
  return /\.bicep$/i.test(file);
}

export function isBicepParams(file: string): boolean {
  return /\.bicepparam$/i.test(file);
}

/**
 * Options: `command` (`build` or `build-params`), `file` (absolute), `given` (as the user wrote
 * it, for messages), `input` (the input that named the file, for refusals). Result: the CLI's
 * standard output.
 */
export function runBicep(
  command: 'build' | 'build-params',
  file: string,
  given: string,
  input: string,
): string {
  const bicep = onPath('bicep');
  const az = bicep ? undefined : onPath('az');
  const kind = command === 'build' ? 'a Bicep file' : 'a Bicep parameters file';
  if (!bicep && !az)
    throw new InputError(
      input,
      `'${given}' is ${kind}, and neither the Bicep CLI (bicep) nor the Azure CLI (az) is ` +
        `on this agent's PATH to compile it`,
      'a step before this one that installs the Bicep CLI (e.g. AzureCLI@2 running ' +
        '`az bicep install`, or a Microsoft-hosted agent, which has both), or ' +
        (command === 'build'
          ? 'a templateFile compiled to JSON beforehand (`bicep build main.bicep`)'
          : 'JSON templateParameters (`bicep build-params main.bicepparam` makes them)'),
    );
  const [exe, args, shown] = bicep
    ? [bicep, [command, file, '--stdout'], `bicep ${command} ${given} --stdout`]
    : [
        az!,
        ['bicep', command, '--file', file, '--stdout'],
        `az bicep ${command} --file ${given} --stdout`,
      ];
  try {
    return execFileSync(exe, args, {
      encoding: 'utf8',
      maxBuffer: MAX_OUTPUT,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (err) {
    const e = err as { stderr?: string; status?: number; code?: string; message: string };
    const why = (e.stderr ?? '').trim().split(/\r?\n/).slice(0, 10).join(' | ') || e.message;
    const exit = typeof e.status === 'number' ? ` (exit ${e.status})` : '';
    throw new InputError(
      input,
      `\`${shown}\` failed${exit}: ${why}`,
      command === 'build' ? 'a Bicep file that compiles' : 'a Bicep parameters file that compiles',
    );
  }
}

/** The ARM JSON the Bicep CLI makes of the templateFile `file` (absolute), as text. */
export function compileBicep(file: string, given: string): string {
  return runBicep('build', file, given, 'templateFile');
}
