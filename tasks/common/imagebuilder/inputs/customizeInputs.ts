/**
 * The customise inputs: the build-artifacts folder (packagePath) and where uploads go, the script
 * (inline or a file, PowerShell or Shell, elevated or as SYSTEM), a restart, Windows Update, or a
 * customisers file instead of the script, restart and Windows Update.
 */
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage, InputError } from '../../core/errors';
import { InputReader } from '../../core/inputReader';
import { PipelineInfo } from '../../core/pipelineInfo';
import { readCustomizersFile } from '../template/templateFile/inputs';
import type { ArtifactsParams, CustomizeParams, ScriptStep } from './params';

export function readCustomize(inputs: InputReader, pipeline: PipelineInfo): CustomizeParams {
  const packagePath = readArtifacts(inputs, pipeline);
  const script = readScript(inputs, pipeline);
  const restart = inputs.bool('restart')
    ? {
        checkCommand: inputs.string('restartCheckCommand'),
        timeout: readAibDuration(inputs, 'restartTimeout'),
      }
    : undefined;
  const windowsUpdate = inputs.bool('windowsUpdate')
    ? {
        searchCriteria: inputs.string('windowsUpdateSearchCriteria'),
        filters: inputs.list('windowsUpdateFilters'),
        updateLimit: inputs.int('windowsUpdateLimit', { min: 1, max: 10_000 }),
      }
    : undefined;
  const fromFile = readCustomizersFile(inputs, pipeline);
  const clash = script
    ? 'scriptSource'
    : restart
      ? 'restart'
      : windowsUpdate
        ? 'windowsUpdate'
        : undefined;
  if (fromFile && clash) {
    throw new InputError(
      'customizersFile',
      `and ${clash} are both set; the customisers file replaces the script, restart and ` +
        `Windows Update inputs`,
      'one of the two (put the step into the customisers file)',
    );
  }
  return { packagePath, uploads: readUploads(inputs), script, restart, windowsUpdate, fromFile };
}

/**
 * A script in the sources folder that is a symbolic link to a file outside it is refused: a pull
 * request must not bring agent files into an image (as for the artifacts folder and customisers).
 */
function refuseLinkOut(file: string, pipeline: PipelineInfo): void {
  const root = pipeline.defaultWorkingDirectory;
  const inside = (p: string, r: string) => {
    const rel = path.relative(r, p);
    return !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  if (!root || !inside(file, root)) return;
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return; // reading it says why
  }
  if (!inside(real, fs.realpathSync(root)))
    throw new InputError(
      'scriptPath',
      `'${file}' leads by a symbolic link to ${real}, outside the sources folder`,
      `a file inside ${root}: a pull request must not bring agent files into an image`,
    );
}

function readUploads(inputs: InputReader): Omit<ArtifactsParams, 'folder'> {
  const storageAccount =
    inputs.string('storageAccountName', {
      pattern: /^[a-z0-9]{3,24}$/,
      expected: 'a storage account name: 3 to 24 lower-case letters and digits',
    }) || undefined;
  return { storageAccount, keep: inputs.bool('keepArtifacts') };
}

function readArtifacts(inputs: InputReader, pipeline: PipelineInfo): ArtifactsParams | undefined {
  const given = inputs.string('packagePath');
  if (!given) return undefined;
  const base = pipeline.defaultWorkingDirectory || process.cwd();
  const folder = path.resolve(base, given);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch (err) {
    throw new InputError(
      'packagePath',
      `'${given}' can't be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`,
      `a folder under ${base}`,
    );
  }
  if (!stat.isDirectory())
    throw new InputError(
      'packagePath',
      `'${given}' is a file`,
      'a folder (its contents are zipped and unpacked on the build VM)',
    );
  return { folder, ...readUploads(inputs) };
}

function readScript(inputs: InputReader, pipeline: PipelineInfo): ScriptStep | undefined {
  const source = inputs.choice(
    'scriptSource',
    ['none', 'inline', 'file'] as const,
    inputs.string('inlineScript') ? 'inline' : inputs.string('scriptPath') ? 'file' : 'none',
  );
  if (source === 'none') return undefined;
  const type = inputs.choice('scriptType', ['auto', 'PowerShell', 'Shell'] as const, 'auto');
  let lines: string[];
  let origin = 'inline';
  if (source === 'inline') {
    const text = inputs.string('inlineScript', {
      required: true,
      expected: 'the commands to run on the build VM',
    });
    lines = text.split(/\r?\n/);
  } else {
    const given = inputs.string('scriptPath', {
      required: true,
      expected: 'the path of a script in the repository',
    });
    const file = path.resolve(pipeline.defaultWorkingDirectory || process.cwd(), given);
    refuseLinkOut(file, pipeline);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new InputError(
        'scriptPath',
        `'${given}' can't be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`,
        `a file under ${pipeline.defaultWorkingDirectory || process.cwd()}`,
      );
    }
    lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    origin = given;
  }
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  if (lines.length === 0)
    throw new InputError(
      source === 'inline' ? 'inlineScript' : 'scriptPath',
      'the script is empty',
      'at least one command',
    );
  const runElevated = inputs.bool('runElevated');
  const runAsSystem = inputs.bool('runAsSystem');
  if (runAsSystem && !runElevated)
    throw new InputError(
      'runAsSystem',
      'runs the script as SYSTEM, which Image Builder allows only elevated',
      'runElevated: true as well',
    );
  const validExitCodes = inputs.list('validExitCodes').map((c) => {
    if (!/^-?\d+$/.test(c))
      throw new InputError(
        'validExitCodes',
        `'${c}' is not a whole number`,
        'exit codes such as 0, 3010',
      );
    return Number(c);
  });
  const kind = type === 'auto' ? undefined : type;
  if (kind === 'Shell' && (runElevated || validExitCodes.length)) {
    throw new InputError(
      runElevated ? 'runElevated' : 'validExitCodes',
      'applies to PowerShell scripts only',
      'scriptType PowerShell, or leave it unset',
    );
  }
  return { kind, lines, origin, runElevated, runAsSystem, validExitCodes };
}

/** Image Builder's duration strings (`5m`, `1h30m`) as restartTimeout takes them. */
function readAibDuration(inputs: InputReader, name: string): string | undefined {
  const v = inputs.string(name, {
    pattern: /^(\d+h)?(\d+m)?(\d+s)?$/,
    expected: 'a duration such as 5m, 1h or 1h30m',
  });
  return v || undefined;
}
