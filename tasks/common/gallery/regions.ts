/**
 * Target regions as users write them (`westeurope=2:Standard_ZRS, eastus`), resolved against the
 * regions the subscription offers, and merged with the regions a version already replicates to.
 * Compute echoes regions by display name ("West Europe"), so every comparison goes through
 * regionKey.
 */
export const STORAGE_ACCOUNT_TYPES = ['Standard_LRS', 'Standard_ZRS', 'Premium_LRS'] as const;
export type StorageAccountType = (typeof STORAGE_ACCOUNT_TYPES)[number];

/** Compute's limit on replicas per region. */
const MAX_REPLICAS = 100;

export interface RegionSpec {
  /** As the user wrote it; the canonical name once resolved. */
  region: string;
  replicaCount?: number;
  storageAccountType?: StorageAccountType;
}

/** A target region as sent to Compute. */
export interface TargetRegion {
  name: string;
  regionalReplicaCount?: number;
  storageAccountType?: string;
  excludeFromLatest?: boolean;
}

export interface AzureLocation {
  name: string;
  displayName: string;
}

/** "West Europe" / "westeurope" / "west-europe" -> "westeurope". */
export function regionKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

export function sameRegion(a: string, b: string): boolean {
  return regionKey(a) === regionKey(b);
}

const SPEC = /^([A-Za-z][A-Za-z0-9 ]*?)\s*(?:=\s*([^:\s]+))?\s*(?::\s*(\S+))?$/;

/**
 * Parses `region[=replicas][:storageAccountType]` entries. Throws an Error naming the entry and
 * what is wrong (the caller prefixes the input name).
 */
export function parseRegionSpecs(entries: string[]): RegionSpec[] {
  const specs: RegionSpec[] = [];
  for (const entry of entries) {
    const m = SPEC.exec(entry.trim());
    if (!m)
      throw new Error(
        `'${entry}' is not a region entry. Expected ` +
          `region[=replicas][:storageAccountType], e.g. westeurope=2:Standard_ZRS`,
      );
    const [, region, count, type] = m;
    const spec: RegionSpec = { region: region.trim() };
    if (count !== undefined) spec.replicaCount = parseReplicaCount(count, `'${entry}'`);
    if (type !== undefined) spec.storageAccountType = parseStorageAccountType(type, `'${entry}'`);
    const twin = specs.find((s) => sameRegion(s.region, spec.region));
    if (twin)
      throw new Error(
        `the region '${spec.region}' is listed twice ('${twin.region}' and '${entry}')`,
      );
    specs.push(spec);
  }
  return specs;
}

function parseReplicaCount(text: string, what: string): number {
  if (!/^\d+$/.test(text))
    throw new Error(`${what}: the replica count '${text}' is not a whole number`);
  const n = Number(text);
  if (n < 1 || n > MAX_REPLICAS)
    throw new Error(
      `${what}: the replica count ${n} is out of range; Azure allows 1 to ${MAX_REPLICAS} ` +
        `replicas per region`,
    );
  return n;
}

function parseStorageAccountType(text: string, what: string): StorageAccountType {
  const match = STORAGE_ACCOUNT_TYPES.find((t) => t.toLowerCase() === text.toLowerCase());
  if (!match)
    throw new Error(
      `${what}: '${text}' is not a storage account type; use one of ` +
        `${STORAGE_ACCOUNT_TYPES.join(', ')}`,
    );
  return match;
}

/**
 * Resolves specs to the subscription's canonical region names. Unknown names come back with up to
 * three suggestions (names that start with it, or within two typing mistakes).
 */
export function resolveRegions(
  specs: RegionSpec[],
  locations: AzureLocation[],
): { resolved: RegionSpec[]; unknown: { given: string; suggestions: string[] }[] } {
  const resolved: RegionSpec[] = [];
  const unknown: { given: string; suggestions: string[] }[] = [];
  for (const spec of specs) {
    const key = regionKey(spec.region);
    const found = locations.find(
      (l) => regionKey(l.name) === key || regionKey(l.displayName) === key,
    );
    if (found) {
      resolved.push({ ...spec, region: found.name });
      continue;
    }
    const suggestions = locations
      .map((l) => ({
        name: l.name,
        d: distance(key, regionKey(l.name)),
        prefix: key.length >= 4 && regionKey(l.name).startsWith(key),
      }))
      .filter((s) => s.d <= 2 || s.prefix)
      .sort((a, b) => a.d - b.d)
      .slice(0, 3)
      .map((s) => s.name);
    unknown.push({ given: spec.region, suggestions });
  }
  return { resolved, unknown };
}

/** The canonical name of a region Compute reports ("West Europe" -> "westeurope"). */
export function canonicalRegion(name: string, locations: AzureLocation[]): string {
  const key = regionKey(name);
  return (
    locations.find((l) => regionKey(l.name) === key || regionKey(l.displayName) === key)?.name ??
    key
  );
}

export interface RegionDefaults {
  replicaCount: number;
  storageAccountType: StorageAccountType;
}

/** Target regions for a new version. */
export function targetRegionsFor(specs: RegionSpec[], defaults: RegionDefaults): TargetRegion[] {
  return specs.map((s) => ({
    name: s.region,
    regionalReplicaCount: s.replicaCount ?? defaults.replicaCount,
    storageAccountType: s.storageAccountType ?? defaults.storageAccountType,
  }));
}

export interface RegionMerge {
  targetRegions: TargetRegion[];
  /**
   * What changes, in words ("add eastus (1 replica, Standard_LRS)", "westeurope: 1 -> 3 replicas").
   */
  changes: string[];
  /** Requests that can't be honoured (storage account type is not updatable). */
  warnings: string[];
}

/**
 * Adds requested regions and replica counts to the regions a version already has. Regions are never
 * removed (Compute refuses unless the version allows it, and it would break deployments there).
 * A requested replica count replaces the existing one; a region listed without a count keeps its
 * count.
 */
export function mergeTargetRegions(
  existing: TargetRegion[],
  requested: RegionSpec[],
  defaults: RegionDefaults,
  locations: AzureLocation[],
): RegionMerge {
  const changes: string[] = [];
  const warnings: string[] = [];
  const targetRegions: TargetRegion[] = existing.map((t) => ({
    ...t,
    name: canonicalRegion(t.name, locations),
  }));
  for (const spec of requested) {
    const current = targetRegions.find((t) => sameRegion(t.name, spec.region));
    if (!current) {
      const added = {
        name: spec.region,
        regionalReplicaCount: spec.replicaCount ?? defaults.replicaCount,
        storageAccountType: spec.storageAccountType ?? defaults.storageAccountType,
      };
      targetRegions.push(added);
      changes.push(
        `add ${added.name} (${plural(added.regionalReplicaCount, 'replica')}, ` +
          `${added.storageAccountType})`,
      );
      continue;
    }
    if (
      spec.replicaCount !== undefined &&
      spec.replicaCount !== (current.regionalReplicaCount ?? 1)
    ) {
      changes.push(
        `${current.name}: ${current.regionalReplicaCount ?? 1} -> ` +
          `${plural(spec.replicaCount, 'replica')}`,
      );
      current.regionalReplicaCount = spec.replicaCount;
    }
    if (
      spec.storageAccountType &&
      current.storageAccountType &&
      spec.storageAccountType.toLowerCase() !== current.storageAccountType.toLowerCase()
    ) {
      warnings.push(
        `${current.name} keeps storage account type ${current.storageAccountType}: Azure ` +
          `can't change it on an existing replica (asked for ${spec.storageAccountType})`,
      );
    }
  }
  return { targetRegions, changes, warnings };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
