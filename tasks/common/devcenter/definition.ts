/**
 * The dev box definition: created or updated to the image (the dev center path of the attached
 * gallery's image), sku, storage and hibernation; then Dev Box validates the image, which it says
 * only afterwards (`imageValidationStatus`), so the task waits for it. A definition this run made
 * whose image fails validation is deleted; one it changed gets its previous image back.
 */
import { getOrUndefined } from '../azure/notFound';
import { sameId } from '../azure/resourceIds';
import { formatDuration } from '../core/duration';
import { poll } from '../core/poll';
import { DevBoxRun } from './context';
import { DEVCENTER_API, DevBoxDefinition, ImageValidationStatus } from './model';
import { DefinitionParams } from './params';

export interface DefinitionPlan {
  action: 'create' | 'update' | 'keep';
  id: string;
  /** What changes, e.g. `sku general_i_8c32gb256ssd_v2 -> general_i_16c64gb512ssd_v2`. */
  changes: string[];
  /** The properties to send (PUT with location, or PATCH). */
  properties: {
    imageReference: { id: string };
    sku: { name: string };
    osStorageType: string;
    hibernateSupport: string;
  };
  existing?: DevBoxDefinition;
}

export function definitionId(run: DevBoxRun, name: string): string {
  return `${run.devCenterId}/devboxdefinitions/${name}`;
}

export function readDefinition(
  run: DevBoxRun,
  name: string,
): Promise<DevBoxDefinition | undefined> {
  return getOrUndefined(() =>
    run.arm.get<DevBoxDefinition>(definitionId(run, name), DEVCENTER_API, run.signal),
  );
}

export function planDefinition(
  run: DevBoxRun,
  d: DefinitionParams,
  imageId: string,
  existing: DevBoxDefinition | undefined,
): DefinitionPlan {
  const properties = {
    imageReference: { id: imageId },
    sku: { name: d.sku },
    osStorageType: d.osStorageType,
    hibernateSupport: d.hibernateSupport,
  };
  const id = definitionId(run, d.name);
  if (!existing) return { action: 'create', id, changes: [], properties };
  const p = existing.properties ?? {};
  const changes: string[] = [];
  if (!sameId(p.imageReference?.id, imageId))
    changes.push(`image ${p.imageReference?.id ?? 'none'} -> ${imageId}`);
  if (p.sku?.name?.toLowerCase() !== d.sku.toLowerCase())
    changes.push(`sku ${p.sku?.name ?? 'none'} -> ${d.sku}`);
  if (p.osStorageType?.toLowerCase() !== d.osStorageType.toLowerCase())
    changes.push(`osStorageType ${p.osStorageType ?? 'none'} -> ${d.osStorageType}`);
  if ((p.hibernateSupport ?? 'Disabled').toLowerCase() !== d.hibernateSupport.toLowerCase())
    changes.push(`hibernateSupport ${p.hibernateSupport ?? 'Disabled'} -> ${d.hibernateSupport}`);
  return { action: changes.length ? 'update' : 'keep', id, changes, properties, existing };
}

export async function applyDefinition(
  run: DevBoxRun,
  plan: DefinitionPlan,
  location: string | undefined,
): Promise<void> {
  if (plan.action === 'create')
    await run.arm.put(
      plan.id,
      DEVCENTER_API,
      { location, properties: plan.properties },
      run.signal,
    );
  else if (plan.action === 'update')
    await run.arm.patch(plan.id, DEVCENTER_API, { properties: plan.properties }, run.signal);
}

export interface Validation {
  status: ImageValidationStatus;
  error?: { code?: string; message?: string };
  definition: DevBoxDefinition;
}

const SETTLED = new Set(['Succeeded', 'Failed', 'TimedOut']);

/** Waits until Dev Box has validated the image, or the validationTimeout (then TimedOut). */
export async function waitForValidation(run: DevBoxRun, id: string): Promise<Validation> {
  const started = Date.now();
  const r = await poll({
    read: async ({ elapsedMs }) => {
      const d = await run.arm.get<DevBoxDefinition>(id, DEVCENTER_API, run.signal);
      const status = d.properties?.imageValidationStatus ?? 'Unknown';
      if (!SETTLED.has(status))
        run.log.info(
          `Image validation: ${status} (${formatDuration(elapsedMs)} of at most ` +
            `${formatDuration(run.params.validationTimeoutMs)}).`,
        );
      return d;
    },
    done: (d) => SETTLED.has(d.properties?.imageValidationStatus ?? ''),
    intervalMs: run.params.pollIntervalMs,
    timeoutMs: run.params.validationTimeoutMs,
    signal: run.signal,
    clock: run.clock,
  });
  const status = r.done ? r.value.properties!.imageValidationStatus! : 'TimedOut';
  run.log.debug(`Image validation ended ${status} after ${Date.now() - started} ms.`);
  return { status, error: r.value.properties?.imageValidationErrorDetails, definition: r.value };
}

/**
 * Undoes this run's change after a failed validation: a definition it made goes, one it changed
 * gets its previous image reference back. Returns what was done, for the failure message.
 */
export async function undoDefinition(
  run: DevBoxRun,
  plan: DefinitionPlan,
  signal = run.signal,
): Promise<string> {
  if (plan.action === 'create') {
    await run.arm.delete(plan.id, DEVCENTER_API, signal);
    return 'the dev box definition this run created was deleted';
  }
  const previous = plan.existing?.properties;
  if (plan.action === 'update' && previous?.imageReference?.id) {
    await run.arm.patch(
      plan.id,
      DEVCENTER_API,
      {
        properties: {
          imageReference: { id: previous.imageReference.id },
          sku: previous.sku,
          osStorageType: previous.osStorageType,
          hibernateSupport: previous.hibernateSupport,
        },
      },
      signal,
    );
    return `the dev box definition was set back to ${previous.imageReference.id}`;
  }
  return 'the dev box definition was left as it was';
}
