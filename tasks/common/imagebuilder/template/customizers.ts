/**
 * The inputs' customisers for the everyday path: the script (PowerShell or Shell), a restart, then
 * Windows Update as the last step, so updates land on top of what the script installed. The build
 * artifacts' customisers (uploads/buildArtifacts.ts) go before them, so the script can use them.
 */
import { InputError } from '../../core/errors';
import { CustomizeParams, OsType } from '../inputs/params';
import { textOf } from './valueText';

/** One AIB customiser, in the REST shape (2024-02-01). */
export type Customizer = Record<string, unknown> & { type: string; name: string };

export function composeCustomizers(c: CustomizeParams, osType: OsType): Customizer[] {
  const steps: Customizer[] = [];
  if (c.script) {
    const kind = c.script.kind ?? (osType === 'Windows' ? 'PowerShell' : 'Shell');
    const name =
      c.script.origin === 'inline'
        ? 'inline-script'
        : `script-${c.script.origin.replace(/^.*[\\/]/, '')}`;
    if (kind === 'PowerShell') {
      steps.push({
        type: 'PowerShell',
        name,
        inline: c.script.lines,
        ...(c.script.runElevated ? { runElevated: true } : {}),
        ...(c.script.runAsSystem ? { runAsSystem: true } : {}),
        ...(c.script.validExitCodes.length ? { validExitCodes: c.script.validExitCodes } : {}),
      });
    } else {
      steps.push({ type: 'Shell', name, inline: c.script.lines });
    }
  }
  if (c.restart) {
    if (osType !== 'Windows')
      throw new InputError(
        'restart',
        `restarts between steps are a Windows customiser (WindowsRestart); the source is ${osType}`,
        'restart: false, or a Windows source',
      );
    steps.push({
      type: 'WindowsRestart',
      name: 'restart',
      ...(c.restart.checkCommand ? { restartCheckCommand: c.restart.checkCommand } : {}),
      ...(c.restart.timeout ? { restartTimeout: c.restart.timeout } : {}),
    });
  }
  if (c.windowsUpdate) {
    if (osType !== 'Windows')
      throw new InputError(
        'windowsUpdate',
        `Windows Update needs a Windows source; the source is ${osType}`,
        'windowsUpdate: false, or a Windows source',
      );
    const w = c.windowsUpdate;
    steps.push({
      type: 'WindowsUpdate',
      name: 'windows-update',
      ...(w.searchCriteria ? { searchCriteria: w.searchCriteria } : {}),
      ...(w.filters.length ? { filters: w.filters } : {}),
      ...(w.updateLimit ? { updateLimit: w.updateLimit } : {}),
    });
  }
  return steps;
}

/** A one-line description of a customiser for the log sections and the summary. */
export function describeCustomizer(c: Record<string, unknown>): string {
  const name = typeof c.name === 'string' && c.name ? `${c.name} ` : '';
  const extra: string[] = [];
  if (c.runAsSystem) extra.push('as SYSTEM');
  else if (c.runElevated) extra.push('elevated');
  if (Array.isArray(c.inline))
    extra.push(`${c.inline.length} line${c.inline.length === 1 ? '' : 's'}`);
  if (typeof c.scriptUri === 'string') extra.push(c.scriptUri.replace(/\?.*$/, ''));
  if (typeof c.sourceUri === 'string')
    extra.push(`${c.sourceUri.replace(/\?.*$/, '')} -> ${textOf(c.destination ?? '')}`);
  return `${name}(${textOf(c.type)}${extra.length ? `, ${extra.join(', ')}` : ''})`;
}
