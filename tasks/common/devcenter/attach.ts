/**
 * Attaching the gallery to the dev center (`devcenters/{dc}/galleries/{name}`, long-running):
 * already attached to the same gallery is success, the same name on another gallery is refused
 * naming both. Right after its role assignment was made, Dev Box may not see it yet: the attach is
 * tried again while it says so.
 */
import { sameId } from '../azure/resourceIds';
import { retry } from '../core/poll';
import { DevBoxRun } from './context';
import { AttachedGallery, DEVCENTER_API } from './model';

export interface AttachPlan {
  /** The name in the dev center. */
  name: string;
  /** Already attached under that name. */
  attached: boolean;
}

/** Decides the name and whether to attach; throws when the name is taken by another gallery. */
export function planAttach(run: DevBoxRun, attachments: AttachedGallery[]): AttachPlan {
  const wanted = run.params.galleryName;
  const mine = attachments.find((a) => sameId(a.properties?.galleryResourceId, run.galleryId));
  // The gallery attached under another name before: that attachment serves, unless a name is given.
  if (mine && (!wanted || mine.name.toLowerCase() === wanted.toLowerCase())) {
    return { name: mine.name, attached: true };
  }
  const name = wanted ?? run.params.gallery.gallery;
  const taken = attachments.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (taken) {
    throw new Error(
      `The dev center already has a gallery named '${name}', attached to ` +
        `${taken.properties?.galleryResourceId ?? 'another gallery'}, not to ${run.galleryId}. ` +
        'Give galleryName another name for this gallery (or detach the other one).',
    );
  }
  if (mine) {
    run.log.info(
      `The gallery is attached already as '${mine.name}'; it is attached as '${name}' too, as ` +
        'galleryName asks.',
    );
  }
  return { name, attached: false };
}

export function attachmentId(run: DevBoxRun, name: string): string {
  return `${run.devCenterId}/galleries/${name}`;
}

/** Codes of an attach refused because the dev center's identity holds no role on the gallery. */
const NOT_YET = /AuthorizationFailed|Forbidden|GalleryAuthorization/i;

/**
 * Attaches the gallery; `retryAuthorization`: a role assignment was just made, so a refusal for
 * want of it is waited out (waits of one to six poll intervals, up to a minute each).
 */
export async function attachGallery(
  run: DevBoxRun,
  name: string,
  retryAuthorization: boolean,
): Promise<void> {
  const interval = run.params.pollIntervalMs;
  await retry({
    run: () =>
      run.arm.put(
        attachmentId(run, name),
        DEVCENTER_API,
        { properties: { galleryResourceId: run.galleryId } },
        run.signal,
      ),
    // A failed long-running operation reaches here as "...has failed. <code>. <message>".
    retryable: (err) => {
      const e = err as { code?: string; message?: string };
      return retryAuthorization && NOT_YET.test(`${e.code ?? ''} ${e.message ?? ''}`);
    },
    attempts: 8,
    delayMs: (attempt) => Math.min(interval * attempt, 60_000),
    onRetry: (_err, _attempt, delayMs) =>
      run.log.info(
        "Dev Box does not see the dev center identity's new role on the gallery yet (role " +
          `assignments take a while to reach it); trying again in ${Math.round(delayMs / 1000)}s.`,
      ),
    signal: run.signal,
    clock: run.clock,
  });
}
