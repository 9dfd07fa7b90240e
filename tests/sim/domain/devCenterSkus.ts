// Dev Box compute skus: `GET /subscriptions/{s}/providers/Microsoft.DevCenter/skus`
// (Skus_ListBySubscription, vdi.json 2024-02-01: DevCenterSku items, paged) and the check that a
// dev box definition names one of them. The scenario's `devCenterSkus` replaces the default list.
import type { ArmRequest, CustomRoute, SimServices } from '../arm/framework';
import { paged } from '../arm/helpers';
import { badRequest } from './devCenterNames';
import { regionDisplayName } from './regions';

/** One sku as a scenario gives it; `locations` default to DEFAULT_SKU_REGIONS. */
export interface DevCenterSkuSpec {
  name: string;
  tier?: string;
  locations?: string[];
  capabilities?: Array<{ name: string; value: string }>;
}

/** Regions where the default skus are offered (the Dev Box regions the simulator tests use). */
export const DEFAULT_SKU_REGIONS = [
  'westeurope',
  'northeurope',
  'uksouth',
  'swedencentral',
  'eastus',
  'eastus2',
  'westus2',
  'westus3',
  'centralus',
  'australiaeast',
  'japaneast',
];

function generalSku(cores: number, memoryGb: number, storageGb: number): DevCenterSkuSpec {
  return {
    name: `general_i_${cores}c${memoryGb}gb${storageGb}ssd_v2`,
    tier: 'Standard',
    capabilities: [
      { name: 'vCPUs', value: String(cores) },
      { name: 'MemoryGB', value: String(memoryGb) },
      { name: 'OSDiskSizeGB', value: String(storageGb) },
      { name: 'HibernateSupported', value: 'True' },
    ],
  };
}

/** The skus listed when the scenario gives none. */
export const DEFAULT_SKUS: DevCenterSkuSpec[] = [
  generalSku(8, 32, 256),
  generalSku(8, 32, 512),
  generalSku(8, 32, 1024),
  generalSku(16, 64, 256),
  generalSku(16, 64, 512),
  generalSku(16, 64, 1024),
  generalSku(32, 128, 512),
  generalSku(32, 128, 1024),
];

/** Region names as the spec's example writes them ("CentralUS"): display name without spaces. */
function skuRegion(name: string): string {
  return regionDisplayName(name).replace(/\s+/g, '');
}

export function skusOf(sim: SimServices): Array<Record<string, unknown>> {
  const specs: DevCenterSkuSpec[] = sim.scenario.devCenterSkus ?? DEFAULT_SKUS;
  return specs.map((s) => ({
    resourceType: 'projects/pools',
    name: s.name,
    tier: s.tier ?? 'Standard',
    locations: (s.locations ?? DEFAULT_SKU_REGIONS).map(skuRegion),
    capabilities: s.capabilities ?? [],
  }));
}

/** Refuses a dev box definition whose sku Dev Box does not offer (400 `InvalidSku`). */
export function requireKnownSku(sim: SimServices, subscriptionId: string, sku: unknown): void {
  const given = (sku as { name?: unknown } | undefined)?.name;
  const name = typeof given === 'string' ? given : '';
  if (skusOf(sim).some((s) => String(s.name).toLowerCase() === name.toLowerCase())) return;
  throw badRequest(
    'InvalidSku',
    `The SKU '${name}' provided in the request is not a valid Dev Box SKU. The valid SKUs are ` +
      `listed by GET /subscriptions/${subscriptionId}/providers/Microsoft.DevCenter/skus.`,
    'properties.sku.name',
  );
}

export const skusRoute: CustomRoute = {
  method: 'GET',
  pattern: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.DevCenter\/skus$/i,
  namespace: 'Microsoft.DevCenter',
  authorize: (req: ArmRequest) => ({
    action: 'Microsoft.DevCenter/skus/read',
    scope: `/subscriptions/${req.subscriptionId}`,
  }),
  handle: (req: ArmRequest) => paged(req, skusOf(req.sim)),
};
