/**
 * A `.bicep` templateFile, compiled to the ARM template it becomes with the Bicep CLI the agent
 * has: `bicep build <file> --stdout`, else `az bicep build --file <file> --stdout`
 * (Microsoft-hosted agents have both). The compiler is Microsoft's; the task only runs it, before
 * anything is done in Azure, and reads its output as any ARM template file. No CLI on the agent:
 * refused, naming the step that installs one. A `.bicepparam` file is not read yet (refused as
 * not implemented).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { InputError, NotImplementedError } from '../../../core/errors';

/** The largest compiled template read (the CLI's standard output). */
const MAX_OUTPUT = 64 * 1024 * 1024;

export function isBicep(file: string): boolean {
  return /\.bicep$/i.test(file);
}

export function isBicepParams(file: string): boolean {
  return /\.bicepparam$/i.test(file);
}

/** An executable named `name` on PATH (with the Windows extensions there), or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** The ARM JSON the Bicep CLI makes of `file` (absolute), as text. */
export function compileBicep(file: string, given: string): string {
  const bicep = onPath('bicep');
  const az = bicep ? undefined : onPath('az');
  if (!bicep && !az)
    throw new InputError(
      'templateFile',
      `'${given}' is a Bicep file, and neither the Bicep CLI (bicep) nor the Azure CLI (az) is ` +
        `on this agent's PATH to compile it`,
      'a step before this one that installs the Bicep CLI (e.g. AzureCLI@2 running ' +
        '`az bicep install`, or a Microsoft-hosted agent, which has both), or a templateFile ' +
        'compiled to JSON beforehand (`bicep build main.bicep`)',
    );
  const [exe, args, shown] = bicep
    ? [bicep, ['build', file, '--stdout'], `bicep build ${given} --stdout`]
    : [
        az!,
        ['bicep', 'build', '--file', file, '--stdout'],
        `az bicep build --file ${given} --stdout`,
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
      'templateFile',
      `\`${shown}\` failed${exit}: ${why}`,
      'a Bicep file that compiles',
    );
  }
}

/** `templateParameters` naming a .bicepparam file: not read yet. */
export function refuseBicepParams(): never {
  throw new NotImplementedError(
    'Reading templateParameters from a .bicepparam file (give the parameters as JSON or ' +
      'name=value lines)',
  );
}
