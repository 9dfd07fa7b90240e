// The marketplace image catalog (Compute VirtualMachineImages_List / _Get):
//   GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{l}/publishers/{p}
//       /artifacttypes/vmimage/offers/{o}/skus/{k}/versions[/{v}]
// By default every well-formed publisher/offer/sku exists with three versions; the Hyper-V
// generation comes from the sku's name (gen2, -g2, ...). Scenario key `marketplace` replaces the
// catalog with exactly the images it lists (see README.md in this folder).
import { createHash } from 'crypto';
import { ArmError } from '../arm/errors';
import type { CustomRoute, SimServices } from '../arm/framework';
import type { Scenario } from '../types';
import { regionKey } from './regions';

export interface MarketplaceImage {
  publisher: string;
  offer: string;
  sku: string;
  versions: string[];
  hyperVGeneration: 'V1' | 'V2';
  osType: 'Windows' | 'Linux';
  plan?: { name: string; product: string; publisher: string };
  /** Regions the image is offered in; every region when absent. */
  locations?: string[];
}

/** The scenario's catalog entry as written in the scenario file. */
export interface MarketplaceScenarioEntry {
  publisher: string;
  offer: string;
  sku: string;
  versions?: string[];
  hyperVGeneration?: 'V1' | 'V2';
  osType?: 'Windows' | 'Linux';
  plan?: { name: string; product: string; publisher: string };
  locations?: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Gen2 markers as publishers spell them ("2022-datacenter-g2", "22_04-lts-gen2", "...-gen2-...");
 * Windows 11 skus ("win11-23h2-ent") are Gen2 only without saying so.
 */
export function generationFromSku(sku: string): 'V1' | 'V2' {
  return /(^|[-_.])(gen2|g2)($|[-_.])/i.test(sku) || /gen2$/i.test(sku) || /^win11-/i.test(sku)
    ? 'V2'
    : 'V1';
}

export function osTypeFromPublisher(publisher: string, offer: string): 'Windows' | 'Linux' {
  return /windows|microsoftvisualstudio|office-365|microsoft-dsvm-win/i.test(
    `${publisher} ${offer}`,
  )
    ? 'Windows'
    : 'Linux';
}

/** Three stable, sortable versions per sku ("<major>.<minor>.<yymmdd>"), the last the latest. */
export function defaultVersions(publisher: string, offer: string, sku: string): string[] {
  const h = createHash('sha256').update(`${publisher}:${offer}:${sku}`.toLowerCase()).digest();
  const major = 1000 + (h.readUInt16BE(0) % 9000);
  const minor = 100 + (h.readUInt16BE(2) % 800);
  return [
    `${major}.${minor}.240911`,
    `${major}.${minor + 37}.241008`,
    `${major}.${minor + 71}.241112`,
  ];
}

/** Numeric comparison of dotted versions ("10.0.2" > "9.9.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10));
  const pb = b.split('.').map((x) => parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a.localeCompare(b);
}

export class MarketplaceCatalog {
  private readonly listed?: MarketplaceImage[];

  constructor(entries: MarketplaceScenarioEntry[] | undefined) {
    if (entries === undefined) return;
    if (!Array.isArray(entries))
      throw new Error(
        'scenario.marketplace must be an array of {publisher, offer, sku, versions?, ' +
          'hyperVGeneration?, osType?, plan?, locations?}',
      );
    this.listed = entries.map((e, i) => {
      for (const k of ['publisher', 'offer', 'sku'] as const) {
        if (typeof e[k] !== 'string' || !NAME.test(e[k]))
          throw new Error(`scenario.marketplace[${i}].${k} must be a well-formed name`);
      }
      return {
        publisher: e.publisher,
        offer: e.offer,
        sku: e.sku,
        versions: e.versions ?? defaultVersions(e.publisher, e.offer, e.sku),
        hyperVGeneration: e.hyperVGeneration ?? generationFromSku(e.sku),
        osType: e.osType ?? osTypeFromPublisher(e.publisher, e.offer),
        plan: e.plan,
        locations: e.locations,
      };
    });
  }

  /** The image (publisher/offer/sku) in a region, or undefined when the catalog has none. */
  find(
    location: string,
    publisher: string,
    offer: string,
    sku: string,
  ): MarketplaceImage | undefined {
    if (this.listed === undefined) {
      if (![publisher, offer, sku].every((n) => NAME.test(n))) return undefined;
      return {
        publisher,
        offer,
        sku,
        versions: defaultVersions(publisher, offer, sku),
        hyperVGeneration: generationFromSku(sku),
        osType: osTypeFromPublisher(publisher, offer),
      };
    }
    const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
    return this.listed.find(
      (m) =>
        eq(m.publisher, publisher) &&
        eq(m.offer, offer) &&
        eq(m.sku, sku) &&
        (m.locations === undefined ||
          m.locations.some((l) => regionKey(l) === regionKey(location))),
    );
  }

  /** An exact version (not "latest"), or undefined. */
  findVersion(
    location: string,
    publisher: string,
    offer: string,
    sku: string,
    version: string,
  ): { image: MarketplaceImage; version: string } | undefined {
    const image = this.find(location, publisher, offer, sku);
    const v = image?.versions.find((x) => x.toLowerCase() === version.toLowerCase());
    return image && v ? { image, version: v } : undefined;
  }

  /** "latest" resolved as AIB and the SDKs do ($orderby=name desc&$top=1). */
  latest(location: string, publisher: string, offer: string, sku: string): string | undefined {
    const image = this.find(location, publisher, offer, sku);
    return image ? [...image.versions].sort(compareVersions).pop() : undefined;
  }
}

export function vmImageNotFound(): ArmError {
  return new ArmError(404, 'NotFound', 'Artifact: VMImage was not found.');
}

function versionId(sub: string, location: string, m: MarketplaceImage, version: string): string {
  return (
    `/Subscriptions/${sub}/Providers/Microsoft.Compute/Locations/${location}/Publishers/` +
    `${m.publisher}/ArtifactTypes/VMImage/Offers/${m.offer}/Skus/${m.sku}/Versions/${version}`
  );
}

/** VirtualMachineImage as GET returns it. */
export function versionView(
  sub: string,
  location: string,
  m: MarketplaceImage,
  version: string,
): unknown {
  const properties: any = {
    hyperVGeneration: m.hyperVGeneration,
    osDiskImage: { operatingSystem: m.osType },
    dataDiskImages: [],
    automaticOSUpgradeProperties: { automaticOSUpgradeSupported: false },
    architecture: 'x64',
    imageDeprecationStatus: { imageState: 'Active' },
  };
  if (m.hyperVGeneration === 'V2')
    properties.features = [
      { name: 'SecurityType', value: 'TrustedLaunchSupported' },
      { name: 'IsAcceleratedNetworkSupported', value: 'True' },
      { name: 'DiskControllerTypes', value: 'SCSI, NVMe' },
    ];
  if (m.plan) properties.plan = { ...m.plan };
  return {
    properties,
    location: regionKey(location),
    name: version,
    id: versionId(sub, location, m, version),
  };
}

const BASE =
  '^/subscriptions/([^/]+)/providers/Microsoft\\.Compute/locations/([^/]+)/publishers/([^' +
  '/]+)/artifacttypes/vmimage/offers/([^/]+)/skus/([^/]+)/versions';

function authorize(): (req: any, m: RegExpExecArray) => { action: string; scope: string } {
  return (_req, m) => ({
    action: 'Microsoft.Compute/locations/publishers/artifacttypes/offers/skus/versions/read',
    scope: `/subscriptions/${decodeURIComponent(m[1])}`,
  });
}

/** Routes of the catalog; `catalog()` is read per request so the scenario's list applies. */
export function marketplaceRoutes(
  catalog: (sim: SimServices) => MarketplaceCatalog,
): CustomRoute[] {
  const d = (s: string): string => decodeURIComponent(s);
  return [
    {
      method: 'GET',
      pattern: new RegExp(BASE + '$', 'i'),
      namespace: 'Microsoft.Compute',
      authorize: authorize(),
      handle: (req, m) => {
        const [sub, loc, pub, offer, sku] = [d(m[1]), d(m[2]), d(m[3]), d(m[4]), d(m[5])];
        const image = catalog(req.sim).find(loc, pub, offer, sku);
        if (!image) throw vmImageNotFound();
        let versions = [...image.versions].sort(compareVersions);
        const orderby = (req.query.get('$orderby') ?? '').trim().toLowerCase();
        if (/^name\s+desc$/.test(orderby)) versions.reverse();
        const top = req.query.get('$top');
        if (top !== null && /^\d+$/.test(top)) versions = versions.slice(0, parseInt(top, 10));
        return {
          status: 200,
          body: versions.map((v) => ({
            location: regionKey(loc),
            name: v,
            id: versionId(sub, loc, image, v),
          })),
        };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(BASE + '/([^/]+)$', 'i'),
      namespace: 'Microsoft.Compute',
      authorize: authorize(),
      handle: (req, m) => {
        const [sub, loc, pub, offer, sku, version] = [
          d(m[1]),
          d(m[2]),
          d(m[3]),
          d(m[4]),
          d(m[5]),
          d(m[6]),
        ];
        const found = catalog(req.sim).findVersion(loc, pub, offer, sku, version);
        if (!found) throw vmImageNotFound();
        return { status: 200, body: versionView(sub, loc, found.image, found.version) };
      },
    },
  ];
}

/** The catalog of a scenario (validated once per simulator). */
export function catalogOf(scenario: Scenario): MarketplaceCatalog {
  return new MarketplaceCatalog(scenario.marketplace);
}
