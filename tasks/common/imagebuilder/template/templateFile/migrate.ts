/**
 * Image template properties brought to the 2024-02-01 shape the task sends. Only what is
 * unambiguous is migrated, each with a warning saying what changed: a wrong-cased known key or
 * discriminator, the pre-2019 Shell `script` key (now `scriptUri`), `buildTimeoutInMinutes` as a
 * string, the misspelt `aritfactTags` and a distributor's `tags` (both `artifactTags`), read-only
 * properties (dropped). Any other unknown key, an empty run output name, a gallery id with an empty
 * segment or a `<token>` left unsubstituted is refused naming its JSON path.
 */
import type { ArmValue } from './armExpressions';
import { textOf } from '../valueText';

type Obj = { [key: string]: ArmValue };
type Fail = (path: string, problem: string) => never;

const CURRENT = '2024-02-01';
const PROPERTIES = [
  'source',
  'customize',
  'optimize',
  'validate',
  'distribute',
  'errorHandling',
  'buildTimeoutInMinutes',
  'vmProfile',
  'stagingResourceGroup',
  'autoRun',
  'managedResourceTags',
];
const READ_ONLY = [
  'provisioningState',
  'provisioningError',
  'lastRunStatus',
  'exactStagingResourceGroup',
  'exactVersion',
];
const SOURCES: Record<string, string[]> = {
  PlatformImage: ['publisher', 'offer', 'sku', 'version', 'planInfo'],
  ManagedImage: ['imageId'],
  SharedImageVersion: ['imageVersionId'],
};
const CUSTOMIZERS: Record<string, string[]> = {
  Shell: ['scriptUri', 'sha256Checksum', 'inline'],
  PowerShell: [
    'scriptUri',
    'sha256Checksum',
    'inline',
    'runElevated',
    'runAsSystem',
    'validExitCodes',
  ],
  File: ['sourceUri', 'sha256Checksum', 'destination'],
  WindowsRestart: ['restartCommand', 'restartCheckCommand', 'restartTimeout'],
  WindowsUpdate: ['searchCriteria', 'filters', 'updateLimit'],
};
const DISTRIBUTORS: Record<string, string[]> = {
  ManagedImage: ['imageId', 'location'],
  SharedImage: [
    'galleryImageId',
    'replicationRegions',
    'excludeFromLatest',
    'storageAccountType',
    'targetRegions',
    'versioning',
  ],
  VHD: ['uri'],
};
const VM_PROFILE = ['vmSize', 'osDiskSizeGB', 'userAssignedIdentities', 'vnetConfig'];
const VNET = ['subnetId', 'containerInstanceSubnetId', 'proxyVmSize'];

export function migrateProperties(
  input: ArmValue,
  base: string,
  apiVersion: string | undefined,
  warnings: string[],
  fail: Fail,
): Obj {
  const at = (k: string | number) =>
    typeof k === 'number' ? `${base}[${k}]` : base ? `${base}.${k}` : k;
  if (!isObj(input)) return fail(base || 'properties', 'is not an object');
  if (apiVersion && apiVersion < CURRENT)
    warnings.push(
      `The template was written for api-version ${apiVersion}; it is sent as ${CURRENT} ` +
        `(the changes below, if any, are what that needed).`,
    );
  const leftover = findToken(input, base);
  if (leftover)
    fail(leftover.path, `'${leftover.token}' is a placeholder that was not substituted`);
  const p = keys(input, PROPERTIES, base, warnings, fail);
  if (typeof p.buildTimeoutInMinutes === 'string') {
    if (!/^\d+$/.test(p.buildTimeoutInMinutes))
      fail(at('buildTimeoutInMinutes'), `'${p.buildTimeoutInMinutes}' is not a number of minutes`);
    warnings.push(
      `${at('buildTimeoutInMinutes')}: the string '${p.buildTimeoutInMinutes}' is sent as ` +
        `the number ${Number(p.buildTimeoutInMinutes)}.`,
    );
    p.buildTimeoutInMinutes = Number(p.buildTimeoutInMinutes);
  }
  if (p.source === undefined) fail(at('source'), 'is missing');
  p.source = typed({
    value: p.source,
    at: at('source'),
    kinds: SOURCES,
    common: [],
    warnings,
    fail,
  });
  if (p.customize !== undefined)
    p.customize = migrateCustomizers(p.customize, at('customize'), warnings, fail);
  if (!Array.isArray(p.distribute) || !p.distribute.length)
    fail(
      at('distribute'),
      "is missing or empty (the distribution inputs do not fill a template file's targets)",
    );
  p.distribute = p.distribute.map((d, i) =>
    distributor(d, `${at('distribute')}[${i}]`, warnings, fail),
  );
  if (p.vmProfile !== undefined) {
    const v = keys(p.vmProfile, VM_PROFILE, at('vmProfile'), warnings, fail);
    if (v.vnetConfig !== undefined)
      v.vnetConfig = keys(v.vnetConfig, VNET, `${at('vmProfile')}.vnetConfig`, warnings, fail);
    p.vmProfile = v;
  }
  return p;
}

/** A customisers list (customizersFile, or a template's properties.customize). */
export function migrateCustomizers(
  list: ArmValue,
  path: string,
  warnings: string[],
  fail: Fail,
): Obj[] {
  if (!Array.isArray(list)) return fail(path, 'is not a list of customisers');
  const leftover = findToken(list, path);
  if (leftover)
    fail(leftover.path, `'${leftover.token}' is a placeholder that was not substituted`);
  return list.map((c, i) => {
    const at = `${path}[${i}]`;
    if (
      isObj(c) &&
      c.script !== undefined &&
      c.scriptUri === undefined &&
      typeof c.type === 'string' &&
      /^shell$/i.test(c.type)
    ) {
      const { script, ...rest } = c;
      warnings.push(`${at}: 'script' (the pre-2019 key) is sent as 'scriptUri'.`);
      c = { ...rest, scriptUri: script };
    }
    return typed({ value: c, at, kinds: CUSTOMIZERS, common: ['name'], warnings, fail });
  });
}

function distributor(d: ArmValue, at: string, warnings: string[], fail: Fail): Obj {
  if (isObj(d)) {
    for (const wrong of ['aritfactTags', 'tags']) {
      if (d[wrong] !== undefined && d.artifactTags === undefined) {
        const { [wrong]: tags, ...rest }: Obj = d;
        warnings.push(`${at}: '${wrong}' is sent as 'artifactTags' (the tags put on the image).`);
        d = { ...rest, artifactTags: tags };
      }
    }
  }
  const out = typed({
    value: d,
    at,
    kinds: DISTRIBUTORS,
    common: ['runOutputName', 'artifactTags'],
    warnings,
    fail,
  });
  for (const k of ['galleryImageId', 'imageId']) {
    const v = out[k];
    if (
      v !== undefined &&
      (typeof v !== 'string' || !v.startsWith('/subscriptions/') || /\/\/|\/$/.test(v))
    )
      fail(
        `${at}.${k}`,
        `'${textOf(v)}' is not a resource id (an empty segment: a substitution that went wrong?)`,
      );
  }
  if (typeof out.runOutputName !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(out.runOutputName)) {
    fail(
      `${at}.runOutputName`,
      `'${textOf(out.runOutputName ?? '')}' is not a run output name (1 to 64 letters, ` +
        `digits, '.', '_' or '-')`,
    );
  }
  return out;
}

/** A value whose `type` names its kind: a source, customiser or distributor. */
interface Typed {
  value: ArmValue;
  /** Its path in the file, for warnings and refusals. */
  at: string;
  /** The kinds by type name, each with the keys it allows. */
  kinds: Record<string, string[]>;
  /** Keys every kind allows. */
  common: string[];
  warnings: string[];
  fail: Fail;
}

/** Checks `type` (case-fixed) and the keys its kind allows. */
function typed(o: Typed): Obj {
  const { value: v, at, kinds, warnings, fail } = o;
  if (!isObj(v)) return fail(at, 'is not an object');
  const given = v.type;
  if (typeof given !== 'string')
    return fail(`${at}.type`, `is missing (one of ${Object.keys(kinds).join(', ')})`);
  const kind = Object.keys(kinds).find((k) => k.toLowerCase() === given.toLowerCase());
  if (!kind) return fail(`${at}.type`, `'${given}' is not one of ${Object.keys(kinds).join(', ')}`);
  if (kind !== given) warnings.push(`${at}.type: '${given}' is sent as '${kind}'.`);
  const out = keys(v, ['type', ...o.common, ...kinds[kind]], at, warnings, fail);
  out.type = kind;
  return out;
}

/**
 * Known keys kept, wrong-cased ones renamed, read-only ones dropped, others refused; all with the
 * path.
 */
function keys(v: ArmValue, known: string[], at: string, warnings: string[], fail: Fail): Obj {
  if (!isObj(v)) return fail(at, 'is not an object');
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const path = at ? `${at}.${k}` : k;
    const right = known.find((n) => n.toLowerCase() === k.toLowerCase());
    if (right) {
      if (right !== k) warnings.push(`${path}: sent as '${right}'.`);
      out[right] = x;
    } else if (READ_ONLY.some((n) => n.toLowerCase() === k.toLowerCase())) {
      warnings.push(`${path}: read-only (set by Image Builder), not sent.`);
    } else {
      fail(
        path,
        `is not a property of the image template here (api-version ${CURRENT} knows ` +
          `${known.join(', ')})`,
      );
    }
  }
  return out;
}

/** The first `<placeholder>` left in a string value: the quickstarts' sed steps were not run. */
function findToken(v: ArmValue, path: string): { path: string; token: string } | undefined {
  if (typeof v === 'string') {
    const m = /<[A-Za-z][A-Za-z0-9_-]*>/.exec(v);
    return m ? { path, token: m[0] } : undefined;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = findToken(v[i], `${path}[${i}]`);
      if (f) return f;
    }
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      const f = findToken(x, path ? `${path}.${k}` : k);
      if (f) return f;
    }
  }
  return undefined;
}

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
