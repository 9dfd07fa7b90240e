// Direct sharing of a Compute gallery (GalleryRP 2024-03-03, GallerySharingProfile_Update):
// POST .../galleries/{g}/share with a SharingUpdate, long-running (202 + Azure-AsyncOperation +
// Location, the Location answering the SharingUpdate). Add merges groups into
// `sharingProfile.groups`, Remove takes ids out, Reset clears the groups and makes the gallery
// Private again. The groups are shown only with `$expand=SharingProfile/Groups` (or
// `$select=Permissions`), as Compute does; a plain GET shows the permission alone. Adding needs the
// gallery's permission to be Groups first (a PATCH of sharingProfile.permissions). The texts of the
// refusals are written in Compute's style, not seen verbatim.
import { ArmError } from '../arm/errors';
import type { ActionDef, ArmRequest, SimServices } from '../arm/framework';
import { clone, startOperation } from '../arm/helpers';
import type { StoredResource } from '../arm/store';

const SHARE_STYLE = {
  header: 'both' as const,
  status: 202 as const,
  asyncSegment: 'capsOperations',
  retryAfterSeconds: 10,
};
/** Nominal time Compute takes to update a sharing profile. */
const SHARE_MS = 20_000;
const GROUP_TYPES = ['Subscriptions', 'AADTenants'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Group {
  type: string;
  ids: string[];
}

function invalid(message: string, target: string): ArmError {
  return new ArmError(400, 'InvalidParameter', message, { target });
}

/** The request's groups, with canonical type names and every id checked. */
function requestedGroups(body: any, operationType: string): Group[] {
  const groups: any[] = body?.groups ?? [];
  if (groups.length === 0)
    throw invalid(
      `Sharing profile groups must be provided for operation type '${operationType}'.`,
      'sharingUpdate.groups',
    );
  return groups.map((g, i) => {
    const type = GROUP_TYPES.find((t) => t.toLowerCase() === String(g?.type ?? '').toLowerCase());
    if (!type)
      throw invalid(
        `The value '${g?.type}' of sharing profile group type is invalid. Allowed values ` +
          `are: ${GROUP_TYPES.join(', ')}.`,
        `sharingUpdate.groups[${i}].type`,
      );
    const ids: string[] = g.ids ?? [];
    const bad = ids.find((id) => !GUID.test(String(id)));
    if (ids.length === 0 || bad !== undefined)
      throw invalid(
        `The ids of sharing profile group '${type}' must be one or more ` +
          `${type === 'Subscriptions' ? 'subscription' : 'tenant'} ids ` +
          `(GUIDs)${bad !== undefined ? `; '${bad}' is not one` : ''}.`,
        `sharingUpdate.groups[${i}].ids`,
      );
    return { type, ids: ids.map(String) };
  });
}

/** The sharing profile after an update (pure). */
export function updatedSharingProfile(profile: any, operationType: string, groups: Group[]): any {
  const current: Group[] = clone(profile?.groups ?? []);
  const find = (type: string) => current.find((g) => g.type.toLowerCase() === type.toLowerCase());
  if (operationType === 'Reset') return { ...profile, permissions: 'Private', groups: [] };
  for (const g of groups) {
    const have = find(g.type);
    if (operationType === 'Add') {
      const ids = have?.ids ?? [];
      for (const id of g.ids)
        if (!ids.some((x) => x.toLowerCase() === id.toLowerCase())) ids.push(id);
      if (!have) current.push({ type: g.type, ids });
    } else if (have) {
      have.ids = have.ids.filter((x) => !g.ids.some((id) => id.toLowerCase() === x.toLowerCase()));
    }
  }
  return { ...profile, groups: current.filter((g) => g.ids.length > 0) };
}

export const shareAction: ActionDef = {
  run(req: ArmRequest, gallery: StoredResource) {
    const operationType = ['Add', 'Remove', 'Reset', 'EnableCommunity'].find(
      (t) => t.toLowerCase() === String(req.body?.operationType ?? '').toLowerCase(),
    );
    if (operationType === 'EnableCommunity') {
      throw new ArmError(
        400,
        'InvalidParameter',
        'The simulator does not implement community galleries (operationType EnableCommunity).',
        { target: 'sharingUpdate.operationType' },
      );
    }
    if (!operationType)
      throw invalid(
        `The value '${req.body?.operationType}' of parameter 'sharingUpdate.operationType' ` +
          `is invalid. Allowed values are: Add, Remove, Reset.`,
        'sharingUpdate.operationType',
      );
    const groups = operationType === 'Reset' ? [] : requestedGroups(req.body, operationType);
    const permissions = String(gallery.properties?.sharingProfile?.permissions ?? 'Private');
    if (operationType === 'Add' && !/^groups$/i.test(permissions)) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Gallery '${gallery.name}' has sharing permission '${permissions}'. Set ` +
          `sharingProfile.permissions to 'Groups' before sharing it with subscriptions or ` +
          `tenants.`,
      );
    }
    const result = { operationType, ...(operationType === 'Reset' ? {} : { groups }) };
    return startOperation(req, {
      kind: 'action',
      resource: gallery,
      style: SHARE_STYLE,
      status: 202,
      body: result,
      run: async (op) => {
        await op.clock.sleep(SHARE_MS, op.signal);
        const current = req.sim.store.get(gallery.id);
        if (!current)
          throw new ArmError(
            404,
            'NotFound',
            `Gallery '${gallery.name}' was deleted while its sharing profile was being updated.`,
          );
        current.properties.sharingProfile = updatedSharingProfile(
          current.properties.sharingProfile ?? { permissions },
          operationType,
          groups,
        );
        return result;
      },
    }).result;
  },
};

/** GET/list body of a gallery: sharing groups only when asked for. */
export function galleryView(r: StoredResource, _sim: SimServices, req?: ArmRequest): unknown {
  const out = clone(r);
  const expand = req?.query.get('$expand') ?? '';
  const select = req?.query.get('$select') ?? '';
  // The state dump (no request) shows the groups, as the expanded GET does.
  const wantGroups =
    !req ||
    /(^|,)\s*sharingProfile\/groups\s*($|,)/i.test(expand) ||
    /(^|,)\s*permissions\s*($|,)/i.test(select);
  if (out.properties?.sharingProfile && !wantGroups) delete out.properties.sharingProfile.groups;
  return out;
}
