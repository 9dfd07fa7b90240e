/**
 * DistributeToGallery's parameters, read from the task inputs and checked before anything is done
 * in Azure: every error names the input, says what was wrong and what would be right.
 */
import { parseDuration } from '../core/duration';
import { InputError } from '../core/errors';
import { InputReader } from '../core/inputReader';
import { PipelineInfo, versionNumberOf } from '../core/pipelineInfo';
import {
  DefinitionChoice,
  Feature,
  SECURITY_TYPES,
  SecurityType,
  needsGeneration2,
} from './compatibility';
import { parseRegionSpecs, RegionDefaults, RegionSpec, STORAGE_ACCOUNT_TYPES } from './regions';
import { parseGalleryId, RESOURCE_GROUP_NAME, RESOURCE_GROUP_RULE } from '../azure/resourceIds';
import { classifySource, VERSION_SOURCE_KINDS, VersionSourceKind } from './sourceRef';
import { Bump, versionFromBuildNumber, versionProblem } from './versioning';

export const GALLERY_ACTIONS = ['publish', 'replicate', 'promote', 'prune'] as const;
export type GalleryAction = (typeof GALLERY_ACTIONS)[number];

const VERSION_STRATEGIES = [
  'buildNumber',
  'explicit',
  'nextPatch',
  'nextMinor',
  'nextMajor',
] as const;

export interface Range {
  min?: number;
  max?: number;
}

/** Where the image definition is; subscriptionId undefined means the connection's subscription. */
export interface TargetParams {
  subscriptionId?: string;
  resourceGroup: string;
  gallery: string;
  definition: string;
  /** Given only as a name, the gallery and definition are created when missing (publish). */
  location?: string;
}

export interface SourceParams {
  kind: VersionSourceKind;
  /** Resource id, or the VHD's URI. */
  ref: string;
  storageAccountId?: string;
}

export interface DefinitionParams extends DefinitionChoice {
  features: Feature[];
  publisher?: string;
  offer?: string;
  sku?: string;
  description?: string;
  recommended?: { vCPUs?: Range; memory?: Range };
  endOfLifeDate?: Date;
}

export type VersionPlan =
  | { kind: 'fixed'; version: string; origin: 'explicit' | 'buildNumber' }
  | { kind: 'next'; bump: Bump };

export interface DistributeParams {
  action: GalleryAction;
  target: TargetParams;
  source?: SourceParams;
  definition: DefinitionParams;
  version?: VersionPlan;
  overwrite: boolean;
  excludeFromLatest: boolean;
  endOfLifeDate?: Date;
  blockDeletionBeforeEndOfLife: boolean;
  tags: Record<string, string>;
  regions: RegionSpec[];
  regionDefaults: RegionDefaults;
  wait: boolean;
  timeoutMs: number;
  pollIntervalMs: number;
  tolerateFailedRegions: boolean;
  prune?: { keep: number; dryRun: boolean };
  share: { subscriptions: string[]; tenants: string[] };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the Compute API accepts for gallery and image definition names. */
const GALLERY_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,78}[A-Za-z0-9])?$/;

/** The resource providers the task's entry requires registered before anything else. */
export const DISTRIBUTE_PROVIDERS = ['Microsoft.Compute'];

/** Reads and checks every input; throws InputError on the first problem. */
export function readDistributeParams(
  inputs: InputReader,
  pipeline: PipelineInfo,
  now = new Date(),
): DistributeParams {
  const action = inputs.choice('action', GALLERY_ACTIONS, 'publish');
  const publish = action === 'publish';
  const version = inputs.string('version');
  const target = readTarget(inputs, version);

  const params: DistributeParams = {
    action,
    target,
    source: publish ? readSource(inputs) : undefined,
    definition: readDefinition(inputs, now),
    version: readVersionPlan(inputs, action, version, pipeline),
    overwrite: inputs.bool('overwrite'),
    excludeFromLatest: inputs.bool('excludeFromLatest'),
    endOfLifeDate: readDate(inputs, 'endOfLifeDate', now),
    blockDeletionBeforeEndOfLife: inputs.bool('blockDeletionBeforeEndOfLife'),
    tags: readTags(inputs),
    regions: readRegions(inputs),
    regionDefaults: {
      replicaCount: inputs.int('replicaCount', { min: 1, max: 100, defaultValue: 1 }) as number,
      storageAccountType: inputs.choice(
        'storageAccountType',
        STORAGE_ACCOUNT_TYPES,
        'Standard_LRS',
      ),
    },
    wait: inputs.bool('waitForReplication', true),
    timeoutMs: inputs.duration('replicationTimeout', {
      bareUnit: 'm',
      min: 60_000,
      max: 7 * 86_400_000,
      defaultValue: 2 * 3_600_000,
    }) as number,
    pollIntervalMs: inputs.duration('pollInterval', {
      bareUnit: 's',
      min: 500,
      max: 600_000,
      defaultValue: 30_000,
    }) as number,
    tolerateFailedRegions: inputs.bool('tolerateFailedRegions'),
    prune: readPrune(inputs, action),
    share: {
      subscriptions: readGuids(inputs, 'shareWithSubscriptions', 'subscription ids'),
      tenants: readGuids(inputs, 'shareWithTenants', 'tenant ids'),
    },
  };
  if (params.blockDeletionBeforeEndOfLife && !params.endOfLifeDate && publish) {
    throw new InputError(
      'blockDeletionBeforeEndOfLife',
      'blocks deletion until the end-of-life date, but no endOfLifeDate is set',
      'an endOfLifeDate too',
    );
  }
  if (
    publish &&
    params.version?.kind === 'fixed' &&
    params.version.origin === 'explicit' &&
    !version
  ) {
    throw new InputError(
      'version',
      'a value is required when versionStrategy is explicit',
      'a version such as 1.0.0',
    );
  }
  return params;
}

function readTarget(inputs: InputReader, version: string | undefined): TargetParams {
  const location = inputs.string('location')?.toLowerCase().replace(/\s+/g, '');
  const definitionInput = inputs.string('imageDefinition');
  // A full version id (promote, replicate) or definition id says everything; names need the
  // gallery.
  const fromId =
    (version && version.startsWith('/') ? parsed('version', version, 'version') : undefined) ??
    (definitionInput?.startsWith('/')
      ? parsed('imageDefinition', definitionInput, 'definition')
      : undefined);
  if (fromId) return { ...fromId, location };
  const resourceGroup = inputs.string('galleryResourceGroup', {
    required: true,
    pattern: RESOURCE_GROUP_NAME,
    expected:
      `the gallery's resource group name, ${RESOURCE_GROUP_RULE} (or give imageDefinition as ` +
      'a full resource id)',
  });
  // The API's pattern; a new gallery's name is checked against Compute's stricter rule (no dashes)
  // once it is known to be new.
  const gallery = inputs.string('galleryName', {
    required: true,
    pattern: GALLERY_NAME,
    expected:
      'a gallery name: letters, digits, periods and underscores, up to 80 characters, ' +
      'starting and ending with a letter or digit',
  });
  const definition = inputs.string('imageDefinition', {
    required: true,
    pattern: GALLERY_NAME,
    expected:
      'an image definition name (letters, digits, dashes, periods, underscores; up to 80 ' +
      'characters) or its full resource id',
  });
  return { resourceGroup, gallery, definition, location };
}

function parsed(input: string, id: string, level: 'version' | 'definition') {
  const g = parseGalleryId(id);
  if (!g || !g.definition || (level === 'version' ? !g.version : !!g.version)) {
    const shape =
      level === 'version'
        ? '.../galleries/<gallery>/images/<definition>/versions/<version>'
        : '.../galleries/<gallery>/images/<definition>';
    throw new InputError(
      input,
      `'${id}' is not the resource id of an image ${level}`,
      `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute${shape.slice(3)}`,
    );
  }
  return {
    subscriptionId: g.subscriptionId,
    resourceGroup: g.resourceGroup,
    gallery: g.gallery,
    definition: g.definition,
  };
}

function readSource(inputs: InputReader): SourceParams {
  const declared = inputs.choice('sourceType', ['auto', ...VERSION_SOURCE_KINDS] as const, 'auto');
  const ref = inputs.string('source', {
    required: true,
    expected:
      'the resource id of a managed image, VM or gallery image version, or the URI of a VHD blob',
  });
  let kind: VersionSourceKind;
  try {
    kind = classifySource(ref, declared);
  } catch (err) {
    throw new InputError('source', (err as Error).message.replace(/\.$/, ''));
  }
  const storageAccountId = inputs.string('sourceStorageAccountId', {
    pattern: new RegExp(
      '^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Storage/storageAccounts' +
        '/[a-z0-9]{3,24}$',
      'i',
    ),
    expected:
      '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Storage' +
      '/storageAccounts/<name>',
  });
  return { kind, ref, storageAccountId: kind === 'vhd' ? storageAccountId : undefined };
}

function readDefinition(inputs: InputReader, now: Date): DefinitionParams {
  const auto = <T extends string>(name: string, values: readonly T[]): T | undefined => {
    const v = inputs.choice(name, ['auto', ...values] as const, 'auto');
    return v === 'auto' ? undefined : v;
  };
  const securityType = auto<SecurityType>('securityType', SECURITY_TYPES);
  const hyperVGeneration = auto('hyperVGeneration', ['V1', 'V2'] as const);
  if (needsGeneration2(securityType) && hyperVGeneration === 'V1') {
    throw new InputError(
      'securityType',
      `'${securityType}' needs Hyper-V generation V2, but hyperVGeneration is V1`,
      'securityType Standard, or hyperVGeneration V2',
    );
  }
  const identifier = (name: string) =>
    inputs.string(name, {
      pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
      expected: 'letters, digits, periods, dashes and underscores, up to 128 characters',
    });
  const vCPUs = readRange(inputs, 'recommendedVCpus', 1, 1024);
  const memory = readRange(inputs, 'recommendedMemory', 1, 8192);
  return {
    osType: auto('osType', ['Windows', 'Linux'] as const),
    osState: auto('osState', ['Generalized', 'Specialized'] as const),
    hyperVGeneration,
    securityType,
    architecture: auto('architecture', ['x64', 'Arm64'] as const),
    features: readFeatures(inputs),
    publisher: identifier('publisher'),
    offer: identifier('offer'),
    sku: identifier('sku'),
    description: inputs.string('definitionDescription'),
    recommended: vCPUs || memory ? { vCPUs, memory } : undefined,
    endOfLifeDate: readDate(inputs, 'definitionEndOfLifeDate', now),
  };
}

function readVersionPlan(
  inputs: InputReader,
  action: GalleryAction,
  version: string | undefined,
  pipeline: PipelineInfo,
): VersionPlan | undefined {
  const versionName = version?.startsWith('/') ? parseGalleryId(version)?.version : version;
  if (versionName !== undefined) {
    const problem = versionProblem(versionName);
    if (problem)
      throw new InputError('version', problem, 'Major.Minor.Patch, e.g. 1.0.0 or 2026.1121.3');
  }
  if (action === 'prune') return undefined;
  if (action !== 'publish') {
    if (!versionName)
      throw new InputError(
        'version',
        `a value is required to ${action} a version`,
        "the version name (1.0.0) or the image version's resource id",
      );
    return { kind: 'fixed', version: versionName, origin: 'explicit' };
  }
  const strategy = inputs.choice('versionStrategy', VERSION_STRATEGIES, 'buildNumber');
  switch (strategy) {
    case 'explicit':
      return { kind: 'fixed', version: versionName ?? '', origin: 'explicit' };
    case 'buildNumber': {
      const number = versionNumberOf(pipeline);
      if (!number)
        throw new InputError(
          'versionStrategy',
          'is buildNumber, but this run has no build number',
          'versionStrategy explicit with a version',
        );
      try {
        return {
          kind: 'fixed',
          version: versionFromBuildNumber(number),
          origin: 'buildNumber',
        };
      } catch (err) {
        throw new InputError('versionStrategy', (err as Error).message.replace(/\.$/, ''));
      }
    }
    default:
      return {
        kind: 'next',
        bump: ({ nextPatch: 'patch', nextMinor: 'minor', nextMajor: 'major' } as const)[strategy],
      };
  }
}

function readRegions(inputs: InputReader): RegionSpec[] {
  try {
    return parseRegionSpecs(inputs.list('targetRegions'));
  } catch (err) {
    throw new InputError('targetRegions', (err as Error).message.replace(/\.$/, ''));
  }
}

function readPrune(inputs: InputReader, action: GalleryAction): DistributeParams['prune'] {
  const keep = inputs.int('pruneKeep', { min: 0, max: 1000, defaultValue: 0 }) as number;
  if (action === 'prune' && keep === 0)
    throw new InputError(
      'pruneKeep',
      'prune needs to know how many versions to keep',
      'the number of newest versions to keep, 1 or more',
    );
  const dryRun = inputs.bool('pruneDryRun');
  return keep > 0 && (action === 'publish' || action === 'prune') ? { keep, dryRun } : undefined;
}

/**
 * `2027-06-30`, an ISO date-time, or a time from now with a unit (`180d`, `26w` is not: use days).
 */
function readDate(inputs: InputReader, name: string, now: Date): Date | undefined {
  const raw = inputs.string(name);
  if (raw === undefined) return undefined;
  const expected =
    'a date such as 2027-06-30 (or 2027-06-30T00:00:00Z), or a time from now such as 180d';
  let date: Date | undefined;
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) {
    const t = Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw.replace(' ', 'T'));
    date = Number.isNaN(t) ? undefined : new Date(t);
  } else if (/[a-z]$/i.test(raw)) {
    const ms = parseDuration(raw);
    date = ms === undefined ? undefined : new Date(now.getTime() + ms);
  }
  if (!date) throw new InputError(name, `'${raw}' is not a date`, expected);
  if (date.getTime() <= now.getTime())
    throw new InputError(
      name,
      `${date.toISOString()} is not in the future`,
      'a date in the future (Azure refuses an end of life in the past)',
    );
  return date;
}

function readRange(inputs: InputReader, name: string, min: number, max: number): Range | undefined {
  const raw = inputs.string(name);
  if (raw === undefined) return undefined;
  const m = /^(\d+)\s*(?:-\s*(\d+))?$/.exec(raw);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : undefined;
  if (!m || lo < min || (hi ?? lo) > max || (hi !== undefined && hi < lo)) {
    throw new InputError(
      name,
      `'${raw}' is not a range`,
      `min-max such as 2-16 (or a minimum alone), between ${min} and ${max}`,
    );
  }
  return hi === undefined ? { min: lo } : { min: lo, max: hi };
}

function readFeatures(inputs: InputReader): Feature[] {
  const raw = inputs.string('imageFeatures');
  if (!raw) return [];
  return raw
    .split(/[\r\n;]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.+)$/.exec(entry);
      if (!m)
        throw new InputError(
          'imageFeatures',
          `'${entry}' is not Name=Value`,
          'one feature per line, e.g. IsAcceleratedNetworkSupported=True or ' +
            'DiskControllerTypes=SCSI, NVMe',
        );
      if (m[1].toLowerCase() === 'securitytype')
        throw new InputError(
          'imageFeatures',
          'SecurityType is set with the securityType input',
          'securityType instead',
        );
      return { name: m[1], value: m[2].trim() };
    });
}

function readTags(inputs: InputReader): Record<string, string> {
  const raw = inputs.string('tags');
  const tags: Record<string, string> = {};
  if (!raw) return tags;
  for (const entry of raw
    .split(/[\r\n]+/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([^=]+?)\s*=\s*(.*)$/.exec(entry);
    if (!m)
      throw new InputError(
        'tags',
        `'${entry}' is not name=value`,
        'one tag per line, e.g. owner=platform-team',
      );
    const [, name, value] = m;
    if (/[<>%&\\?/]/.test(name) || name.length > 512 || /^(microsoft|azure|windows)/i.test(name)) {
      throw new InputError(
        'tags',
        `'${name}' is not a tag name Azure accepts`,
        'a name without < > % & \\ ? / of up to 512 characters, not starting with ' +
          'microsoft, azure or windows',
      );
    }
    if (value.length > 256)
      throw new InputError('tags', `the value of '${name}' is longer than 256 characters`);
    tags[name] = value;
  }
  return tags;
}

function readGuids(inputs: InputReader, name: string, what: string): string[] {
  const ids = inputs.list(name);
  const bad = ids.find((id) => !GUID.test(id));
  if (bad)
    throw new InputError(
      name,
      `'${bad}' is not a GUID`,
      `${what} (GUIDs), separated by commas or new lines`,
    );
  return ids.map((id) => id.toLowerCase());
}
