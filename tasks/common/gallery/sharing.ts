/**
 * Direct shared gallery: the gallery shared with subscriptions and tenants (sharing profile
 * groups). Only adds what is missing, never removes a group member: sharing is the gallery's, and
 * other pipelines may have added them. A community gallery can't be shared this way.
 */
import type { Gallery } from '@azure/arm-compute';
import { PlanItem } from '../core/plan';
import { GalleryRun } from './context';

export interface SharingPlan {
  /** The gallery's permission must change from Private to Groups first. */
  enableGroups: boolean;
  subscriptions: string[];
  tenants: string[];
}

/** What to add; undefined when nothing. Throws when the gallery can't be shared with groups. */
export function planSharing(
  gallery: Gallery | undefined,
  wanted: { subscriptions: string[]; tenants: string[] },
): SharingPlan | undefined {
  if (wanted.subscriptions.length === 0 && wanted.tenants.length === 0) return undefined;
  const permissions = gallery?.sharingProfile?.permissions ?? 'Private';
  if (/^community$/i.test(permissions)) {
    throw new Error(
      `Gallery '${gallery?.name}' is a community gallery; it can't also be shared directly ` +
        `with subscriptions or tenants. Leave shareWithSubscriptions and shareWithTenants ` +
        `empty.`,
    );
  }
  const have = (type: string) =>
    new Set(
      (gallery?.sharingProfile?.groups ?? [])
        .filter((g) => g.type?.toLowerCase() === type.toLowerCase())
        .flatMap((g) => g.ids ?? [])
        .map((id) => id.toLowerCase()),
    );
  const subs = have('Subscriptions');
  const tenants = have('AADTenants');
  const plan: SharingPlan = {
    enableGroups: !/^groups$/i.test(permissions),
    subscriptions: wanted.subscriptions.filter((id) => !subs.has(id)),
    tenants: wanted.tenants.filter((id) => !tenants.has(id)),
  };
  return plan.enableGroups || plan.subscriptions.length || plan.tenants.length ? plan : undefined;
}

export function sharingItem(gallery: string, plan: SharingPlan): PlanItem {
  const missing = [
    plan.subscriptions.length ? `subscriptions ${plan.subscriptions.join(', ')}` : '',
    plan.tenants.length ? `tenants ${plan.tenants.join(', ')}` : '',
  ].filter(Boolean);
  return {
    action: 'update',
    target: `sharing of gallery ${gallery}`,
    reason: missing.length
      ? `not shared yet with ${missing.join(' and ')}`
      : 'its sharing permission is not Groups',
    ...(plan.enableGroups ? { details: ['its sharing permission becomes Groups'] } : {}),
  };
}

export async function applySharing(
  run: GalleryRun,
  gallery: Gallery,
  plan: SharingPlan,
): Promise<void> {
  const { ref, compute, log, lro } = run;
  if (plan.enableGroups && !/^groups$/i.test(gallery.sharingProfile?.permissions ?? '')) {
    log.info(`Setting the sharing permission of gallery ${ref.gallery} to Groups...`);
    await run.step(`Setting the sharing permission of gallery ${ref.gallery}`, () =>
      compute.galleries.update(
        ref.resourceGroup,
        ref.gallery,
        { sharingProfile: { permissions: 'Groups' } },
        lro,
      ),
    );
  }
  const groups = [
    ...(plan.subscriptions.length ? [{ type: 'Subscriptions', ids: plan.subscriptions }] : []),
    ...(plan.tenants.length ? [{ type: 'AADTenants', ids: plan.tenants }] : []),
  ];
  if (groups.length === 0) return;
  log.info(
    `Sharing gallery ${ref.gallery} with ` +
      `${groups.map((g) => `${g.type}: ${g.ids.join(', ')}`).join('; ')}...`,
  );
  await run.step(`Sharing gallery ${ref.gallery}`, () =>
    compute.gallerySharingProfile.update(
      ref.resourceGroup,
      ref.gallery,
      { operationType: 'Add', groups },
      lro,
    ),
  );
}
