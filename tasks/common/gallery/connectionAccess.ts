/**
 * Whether the service connection may make a publish's writes, asked of the permissions API before
 * the first one: a right found missing half-way would leave a gallery or definition made and no
 * version. One message per scope and role, as the other tasks' pre-flights give.
 */
import { CallerNeed, connectionLacks } from '../azure/callerCheck';
import { GalleryRun } from './context';

/** The writes a publish will make (what its plan says it creates, updates or deletes). */
export interface PublishWrites {
  gallery: boolean;
  definition: boolean;
  version: boolean;
  /** Overwrite: the version is deleted first. */
  deleteVersion: boolean;
}

const GALLERIES = 'Microsoft.Compute/galleries';

/** Result: one message per missing role (with its `az` command); empty when all is allowed. */
export async function publishRefusals(run: GalleryRun, w: PublishWrites): Promise<string[]> {
  const { ref } = run;
  const group = `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}`;
  const gallery = `${group}/providers/${GALLERIES}/${ref.gallery}`;
  // A resource not made yet has no permissions of its own: ask at its resource group.
  const at = (exists: boolean, id: string) => (exists ? id : group);
  const definition = `${gallery}/images/${ref.definition}`;
  const needs: CallerNeed[] = [];
  if (w.gallery)
    needs.push({ action: `${GALLERIES}/write`, scope: group, why: 'create the gallery' });
  if (w.definition)
    needs.push({
      action: `${GALLERIES}/images/write`,
      scope: at(!w.gallery, gallery),
      why: 'write the image definition',
    });
  if (w.deleteVersion)
    needs.push({
      action: `${GALLERIES}/images/versions/delete`,
      scope: definition,
      why: 'overwrite the version',
    });
  if (w.version)
    needs.push({
      action: `${GALLERIES}/images/versions/write`,
      scope: at(!w.gallery && !w.definition, definition),
      why: 'write the image version',
    });
  // What it writes it reads back (the long-running write's end is a GET).
  for (const n of [...needs])
    if (n.action.endsWith('/write'))
      needs.push({ ...n, action: n.action.replace(/write$/, 'read'), why: `${n.why} (read back)` });
  return connectionLacks({
    azure: run.azure,
    subscriptionId: ref.subscriptionId,
    needs,
    log: run.log,
    signal: run.signal,
  });
}
