/**
 * The run's inputs as Azure's session host update takes them, and the checks made before any
 * write: only the settings the run gives go in the `update` body (the rest stay the pool's saved
 * ones), within the limits Azure documents; the image must be in the pool's subscription and
 * replicated where the hosts are made; inputs Azure's update decides for itself are named once.
 */
import { formatDuration } from '../../core/duration';
import { InputError } from '../../core/errors';
import { SessionHostUpdateInputs } from '../params';
import { regionKey } from '../read/image';
import { TargetImage } from '../state';
import { UpdateSettings } from './api';

/** Microsoft documents a log-off delay of 0 to 60 minutes. */
export const MAX_LOG_OFF_DELAY_MINUTES = 60;
/** HostPoolUpdateConfigurationPatchProperties.logOffMessage's maxLength. */
export const MAX_LOG_OFF_MESSAGE = 260;

const MINUTE = 60_000;

/** The `update` body of initiateSessionHostUpdate: what the run gives, nothing else. */
export function updateSettingsOf(i: SessionHostUpdateInputs): UpdateSettings {
  const update: UpdateSettings = {};
  if (i.batchSize !== undefined) update.maxVmsRemoved = i.batchSize;
  if (i.drainTimeoutMs !== undefined) update.logOffDelayMinutes = logOffDelayOf(i.drainTimeoutMs);
  if (i.logOffMessage !== undefined) {
    if (i.logOffMessage.length > MAX_LOG_OFF_MESSAGE)
      throw new InputError(
        'logOffMessage',
        `it is ${i.logOffMessage.length} characters long, more than Azure's session host ` +
          `update sends (${MAX_LOG_OFF_MESSAGE})`,
        `a message of up to ${MAX_LOG_OFF_MESSAGE} characters`,
      );
    update.logOffMessage = i.logOffMessage;
  }
  if (i.oldHosts !== undefined) update.deleteOriginalVm = i.oldHosts === 'delete';
  return update;
}

function logOffDelayOf(ms: number): number {
  const expected =
    `whole minutes from 0 to ${MAX_LOG_OFF_DELAY_MINUTES} (Azure's logOffDelayMinutes), ` +
    'e.g. 30m';
  if (ms > MAX_LOG_OFF_DELAY_MINUTES * MINUTE)
    throw new InputError(
      'drainTimeout',
      `${formatDuration(ms)} is longer than the ${MAX_LOG_OFF_DELAY_MINUTES} minutes Azure's ` +
        'session host update allows users before it signs them out',
      expected,
    );
  if (ms % MINUTE !== 0)
    throw new InputError(
      'drainTimeout',
      `${formatDuration(ms)} is not a whole number of minutes`,
      expected,
    );
  return ms / MINUTE;
}

/** The settings in words, each saying whether this run gives it or the pool's saved one holds. */
export function describeSettings(run: UpdateSettings, saved: UpdateSettings | undefined): string[] {
  const line = (label: string, key: keyof UpdateSettings, show: (v: never) => string) => {
    const value = run[key] ?? saved?.[key];
    const text = value === undefined ? 'Azure default' : show(value as never);
    const from = run[key] !== undefined ? 'this run' : "the pool's saved setting";
    return `${label}: ${text} (${from})`;
  };
  return [
    line('hosts at a time (maxVmsRemoved)', 'maxVmsRemoved', (v: number) => String(v)),
    line('users signed out after (logOffDelayMinutes)', 'logOffDelayMinutes', (v: number) =>
      formatDuration(v * MINUTE),
    ),
    line('log-off message', 'logOffMessage', (v: string) => JSON.stringify(v)),
    line('original VMs (deleteOriginalVm)', 'deleteOriginalVm', (v: boolean) =>
      v ? 'deleted' : 'kept',
    ),
  ];
}

/**
 * Refuses an image Azure's update cannot use: one in another subscription than the pool (the
 * feature requires the same one), or not replicated to the region hosts are made in.
 */
export function checkImageForPool(
  target: TargetImage,
  pool: { name: string; subscriptionId: string },
  region: string,
): void {
  const imageSubscription = target.versionId.split('/')[2] ?? '';
  if (imageSubscription.toLowerCase() !== pool.subscriptionId.toLowerCase())
    throw new InputError(
      'image',
      `image version ${target.version} is in subscription ${imageSubscription}, but Azure's ` +
        `session host update of ${pool.name} takes only an image in the pool's subscription ` +
        `(${pool.subscriptionId})`,
      "a gallery image version in the pool's subscription (DistributeToGallery can publish " +
        'one there)',
    );
  if (!target.regions.includes(regionKey(region)))
    throw new InputError(
      'image',
      `image version ${target.version} is not replicated to ${region}, where ${pool.name}'s ` +
        `session hosts are made (replicated to: ${target.regions.join(', ') || 'none'})`,
      `a version replicated to ${region} (DistributeToGallery action: replicate adds it)`,
    );
}

/** The one warning for inputs that mean nothing on this pool; undefined when none was set. */
export function ignoredInputsWarning(names: string[], pool: string): string | undefined {
  if (!names.length) return undefined;
  return (
    `${pool} is updated by Azure's session host update, which decides for itself what ` +
    `${names.join(', ')} set${names.length === 1 ? 's' : ''} for a Standard pool; ` +
    `${names.length === 1 ? 'it is' : 'they are'} not used.`
  );
}
