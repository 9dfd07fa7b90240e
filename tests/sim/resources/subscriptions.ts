// The tenant's subscriptions (those the caller holds a role in), their locations, and the generic
// resource lists (/subscriptions/{s}/resources, /subscriptions/{s}/resourceGroups/{rg}/resources).
import { ArmError, armErrors } from '../arm/errors';
import type { ArmRequest, SimModule, SimServices } from '../arm/framework';
import { paged } from '../arm/helpers';
import { isAncestorOrSelf, RESOURCE_GROUP_TYPE } from '../arm/paths';
import type { SubscriptionSpec } from '../types';

const LOCATIONS: Array<[string, string, string]> = [
  ['eastus', 'East US', 'US'],
  ['eastus2', 'East US 2', 'US'],
  ['westus', 'West US', 'US'],
  ['westus2', 'West US 2', 'US'],
  ['westus3', 'West US 3', 'US'],
  ['centralus', 'Central US', 'US'],
  ['northcentralus', 'North Central US', 'US'],
  ['southcentralus', 'South Central US', 'US'],
  ['westcentralus', 'West Central US', 'US'],
  ['canadacentral', 'Canada Central', 'Canada'],
  ['northeurope', 'North Europe', 'Europe'],
  ['westeurope', 'West Europe', 'Europe'],
  ['uksouth', 'UK South', 'UK'],
  ['ukwest', 'UK West', 'UK'],
  ['francecentral', 'France Central', 'France'],
  ['germanywestcentral', 'Germany West Central', 'Germany'],
  ['swedencentral', 'Sweden Central', 'Sweden'],
  ['switzerlandnorth', 'Switzerland North', 'Switzerland'],
  ['norwayeast', 'Norway East', 'Norway'],
  ['australiaeast', 'Australia East', 'Australia'],
  ['southeastasia', 'Southeast Asia', 'Asia Pacific'],
  ['eastasia', 'East Asia', 'Asia Pacific'],
  ['japaneast', 'Japan East', 'Japan'],
  ['koreacentral', 'Korea Central', 'Korea'],
  ['centralindia', 'Central India', 'India'],
  ['brazilsouth', 'Brazil South', 'Brazil'],
  ['southafricanorth', 'South Africa North', 'South Africa'],
  ['uaenorth', 'UAE North', 'UAE'],
];

/** Locations Azure offers (names and display names). */
export const KNOWN_LOCATIONS = LOCATIONS.map(([name, displayName]) => ({ name, displayName }));

function subscriptionView(sim: SimServices, sub: SubscriptionSpec): unknown {
  return {
    id: `/subscriptions/${sub.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub.subscriptionId,
    tenantId: sim.info.tenantId,
    displayName: sub.displayName,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

/**
 * With RBAC on, a subscription is visible to principals holding some role in it (effective
 * assignments only).
 */
function canSeeSubscription(req: ArmRequest, subscriptionId: string): boolean {
  if (!req.sim.rbac.enforced) return true;
  const sub = `/subscriptions/${subscriptionId}`;
  return req.sim.rbac
    .effectiveAssignments()
    .some(
      (a) =>
        String(a.properties?.principalId ?? '').toLowerCase() ===
          req.caller.objectId.toLowerCase() &&
        (isAncestorOrSelf(String(a.properties?.scope ?? '/'), sub) ||
          isAncestorOrSelf(sub, String(a.properties?.scope ?? '/'))),
    );
}

export const subscriptionsModule: SimModule = {
  name: 'subscriptions',
  register(r) {
    r.route({
      method: 'GET',
      pattern: /^\/subscriptions$/i,
      handle: (req) =>
        paged(
          req,
          req.sim.subscriptions.all
            .filter((sub) => canSeeSubscription(req, sub.subscriptionId))
            .map((sub) => subscriptionView(req.sim, sub)),
        ),
    });
    r.route({
      method: 'GET',
      pattern: /^\/subscriptions\/[^/]+$/i,
      handle: (req) => {
        // The router answered SubscriptionNotFound for an undeclared one.
        const sub = req.sim.subscriptions.get(req.subscriptionId)!;
        if (!canSeeSubscription(req, sub.subscriptionId))
          throw armErrors.authorizationFailed(
            req.caller.appId,
            req.caller.objectId,
            'Microsoft.Resources/subscriptions/read',
            `/subscriptions/${sub.subscriptionId}`,
          );
        return { status: 200, body: subscriptionView(req.sim, sub) };
      },
    });
    r.route({
      method: 'GET',
      pattern: /^\/subscriptions\/[^/]+\/locations$/i,
      handle: (req) =>
        paged(
          req,
          LOCATIONS.map(([name, displayName, geo]) => ({
            id:
              `/subscriptions/` +
              `${req.sim.subscriptions.get(req.subscriptionId)!.subscriptionId}/locations/` +
              `${name}`,
            name,
            displayName,
            regionalDisplayName: `(${geo}) ${displayName}`,
            type: 'Region',
            metadata: {
              regionType: 'Physical',
              regionCategory: 'Recommended',
              geographyGroup: geo,
            },
          })),
        ),
    });
    r.route({
      method: 'GET',
      pattern: /^\/subscriptions\/[^/]+(?:\/resourceGroups\/([^/]+))?\/resources$/i,
      authorize: (req, m) => ({
        action: 'Microsoft.Resources/subscriptions/resourceGroups/resources/read',
        scope:
          `/subscriptions/${req.subscriptionId}` +
          `${m[1] ? `/resourceGroups/${decodeURIComponent(m[1])}` : ''}`,
      }),
      handle: (req, m) => {
        const sub = `/subscriptions/${req.subscriptionId}`;
        let under = sub;
        if (m[1]) {
          under = `${sub}/resourceGroups/${decodeURIComponent(m[1])}`;
          if (!req.sim.store.has(under))
            throw armErrors.resourceGroupNotFound(decodeURIComponent(m[1]));
        }
        const filter = req.query.get('$filter');
        let type: string | undefined;
        if (filter) {
          const f = /^\s*resourceType\s+eq\s+'([^']+)'\s*$/i.exec(filter);
          if (!f)
            throw new ArmError(
              400,
              'InvalidFilterInQueryString',
              `The $filter '${filter}' is not supported by the simulator (only ` +
                `resourceType eq '...').`,
            );
          type = f[1];
        }
        // Tracked resources, as ARM lists them: top-level ones and nested ones with a location
        // (a gallery's image definitions, a SQL server's databases); no groups, no proxy
        // (location-less) or extension resources.
        const items = req.sim.store.list({ type, under }).filter((x) => {
          if (x.type === RESOURCE_GROUP_TYPE) return false;
          const after = x.id
            .slice(x.id.toLowerCase().indexOf('/providers/') + '/providers/'.length)
            .split('/');
          const tracked = after.length === 3 || (!!x.location && !after.includes('providers'));
          return x.id.toLowerCase().includes('/resourcegroups/') && tracked;
        });
        return paged(
          req,
          items.map((x) => ({
            id: x.id,
            name: x.name,
            type: x.type,
            location: x.location,
            ...(x.tags ? { tags: x.tags } : {}),
            ...(x.kind ? { kind: x.kind } : {}),
            ...(x.sku ? { sku: x.sku } : {}),
            ...(x.identity ? { identity: x.identity } : {}),
          })),
        );
      },
    });
  },
};
