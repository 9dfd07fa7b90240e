/**
 * Microsoft Dev Box's image requirements as one table of rules: pure functions over what the image
 * definition, its version and the version's source say. Dev Box checks them only after a dev box
 * definition is made (and hides images without the right metadata from its lists); here they are
 * checked before anything is written.
 */

/** What one image is, as the gallery tells it. */
export interface ImageFacts {
  /** The image definition's name. */
  name: string;
  osType?: string;
  osState?: string;
  /** Absent means V1, as Compute reads it. */
  hyperVGeneration?: string;
  features: { name?: string; value?: string }[];
  identifier: { publisher?: string; offer?: string; sku?: string };
  /** The version checked (the named one, or the latest); undefined when there is none. */
  version?: VersionFacts;
}

export interface VersionFacts {
  name: string;
  /** Regions it is replicated to, as Compute names them (any spelling). */
  regions: string[];
  /** OS disk size in GB, from the version or its source; undefined when neither says. */
  osDiskSizeGB?: number;
  /** Data disks of the version or its source. */
  dataDisks: number;
  /** Disk encryption sets (customer-managed keys) of its target regions. */
  encryptionSets: string[];
}

/** What the rules check the image against. */
export interface RuleContext {
  /** Regions dev boxes are made in, each with why: the dev center's, networks', pools'. */
  regions: { region: string; why: string }[];
  /** Whether the dev box definition asks for hibernation. */
  hibernate: boolean;
}

export type RuleState = 'pass' | 'fail' | 'warn';

export interface RuleResult {
  state: RuleState;
  /** What the image has, e.g. `Hyper-V generation V1`. */
  finding: string;
  /** Why that fails or warns, e.g. `Dev Box needs V2`; empty for a pass. */
  why?: string;
}

export interface Rule {
  /** Short id, e.g. `hyperv-v2`. */
  id: string;
  /** The summary table's column header. */
  title: string;
  /** Undefined: nothing tells (the rule is shown as not checked). */
  check(image: ImageFacts, ctx: RuleContext): RuleResult | undefined;
}

const pass = (finding: string): RuleResult => ({ state: 'pass', finding });
const fail = (finding: string, why: string): RuleResult => ({ state: 'fail', finding, why });
const warn = (finding: string, why: string): RuleResult => ({ state: 'warn', finding, why });

/** Lower-case tokens of the offer and sku (split on dashes, underscores, periods and spaces). */
function tokens(image: ImageFacts): string[] {
  return [image.identifier.offer, image.identifier.sku]
    .join(' ')
    .toLowerCase()
    .split(/[-_.\s]+/)
    .filter(Boolean);
}

function featureValue(image: ImageFacts, name: string): string | undefined {
  return image.features.find((f) => f.name?.toLowerCase() === name.toLowerCase())?.value;
}

const TRUSTED_LAUNCH = /^TrustedLaunch(Supported|AndConfidentialVmSupported)?$/i;

/** A region name in Compute's canonical form (`West Europe` -> `westeurope`). */
export function regionKey(region: string): string {
  return region.toLowerCase().replace(/[\s_-]+/g, '');
}

/** The edition Dev Box accepts: Windows 10/11 Enterprise, single-session, not N, not LTSC. */
function edition(image: ImageFacts): RuleResult {
  const t = tokens(image);
  const text = t.join('-');
  const said = `offer/sku ${image.identifier.offer ?? '?'}/${image.identifier.sku ?? '?'}`;
  if (t.some((x) => /^(avd|evd|multisession)$/.test(x)) || /multi-session/.test(text))
    return fail(`${said} is multi-session`, 'Dev Box needs a single-session image');
  if (t.some((x) => /^ltsc\d*$/.test(x) || x === 'ltsb'))
    return fail(`${said} is LTSC`, 'Dev Box needs Windows 10/11 Enterprise, not LTSC');
  if (t.some((x) => x === 'n' || /^(ent|enterprise|pro|edu)n$/.test(x)))
    return fail(`${said} is an N edition`, 'Dev Box needs Windows 10/11 Enterprise, not N');
  if (t.some((x) => /server|^\d{4}datacenter$/.test(x)))
    return fail(`${said} is Windows Server`, 'Dev Box needs Windows 10/11 Enterprise');
  if (t.some((x) => /^(ent|enterprise|entcpc)$/.test(x)))
    return pass(`${said}: Enterprise, single-session`);
  return warn(
    `${said} does not say its edition`,
    'Dev Box needs Windows 10/11 Enterprise single-session (not multi-session, N or LTSC)',
  );
}

export const RULES: readonly Rule[] = [
  {
    id: 'windows',
    title: 'Windows',
    check: (i) =>
      /^windows$/i.test(i.osType ?? '')
        ? pass('Windows')
        : fail(`OS type ${i.osType ?? 'unknown'}`, 'Dev Box needs Windows'),
  },
  {
    id: 'hyperv-v2',
    title: 'Hyper-V V2',
    check: (i) => {
      const generation = i.hyperVGeneration ?? 'V1';
      return /^v2$/i.test(generation)
        ? pass('Hyper-V generation V2')
        : fail(`Hyper-V generation ${generation}`, 'Dev Box needs V2');
    },
  },
  {
    id: 'trusted-launch',
    title: 'Trusted launch',
    check: (i) => {
      const security = featureValue(i, 'SecurityType');
      return TRUSTED_LAUNCH.test(security ?? '')
        ? pass(`security type ${security}`)
        : fail(`security type ${security ?? 'Standard'}`, 'Dev Box needs TrustedLaunch');
    },
  },
  {
    id: 'generalized',
    title: 'Generalized',
    check: (i) =>
      /^generalized$/i.test(i.osState ?? '')
        ? pass('generalized')
        : fail(`OS state ${i.osState ?? 'unknown'}`, 'Dev Box needs a generalized image'),
  },
  { id: 'edition', title: 'Enterprise single-session', check: edition },
  {
    id: 'os-disk-64gb',
    title: 'OS disk 64 GB',
    check: (i) => {
      const size = i.version?.osDiskSizeGB;
      if (size === undefined) return undefined;
      return size === 64
        ? pass('OS disk 64 GB')
        : warn(`OS disk ${size} GB`, 'Dev Box expects a 64 GB OS disk (it resizes to the sku)');
    },
  },
  {
    id: 'no-data-disks',
    title: 'No data disks',
    check: (i) => {
      if (!i.version) return undefined;
      const n = i.version.dataDisks;
      return n === 0
        ? pass('no data disks')
        : fail(`${n} data disk${n === 1 ? '' : 's'}`, 'Dev Box needs an image with no data disks');
    },
  },
  {
    id: 'no-cmk',
    title: 'No customer-managed key',
    check: (i) => {
      if (!i.version) return undefined;
      const sets = i.version.encryptionSets;
      return sets.length === 0
        ? pass('platform-managed keys')
        : fail(
            `encrypted with disk encryption set ${sets.map((s) => s.split('/').pop()).join(', ')}`,
            'Dev Box fails validation of customer-managed-key images (SourceImageInvalid)',
          );
    },
  },
  {
    id: 'hibernation',
    title: 'Hibernation',
    check: (i, ctx) => {
      if (!ctx.hibernate) return undefined;
      return /^true$/i.test(featureValue(i, 'IsHibernateSupported') ?? '')
        ? pass('IsHibernateSupported')
        : fail(
            'no IsHibernateSupported feature',
            'hibernateSupport: Enabled needs the definition feature IsHibernateSupported=True',
          );
    },
  },
  {
    id: 'regions',
    title: 'Replicated',
    check: (i, ctx) => {
      if (!i.version) return fail('no image version', 'Dev Box needs a version to use');
      const have = new Set(i.version.regions.map(regionKey));
      const missing = ctx.regions.filter((r) => !have.has(regionKey(r.region)));
      if (missing.length === 0)
        return pass(`version ${i.version.name} in ${ctx.regions.map((r) => r.region).join(', ')}`);
      const names = [...new Set(missing.map((r) => r.region))];
      return fail(
        `version ${i.version.name} is not replicated to ` +
          missing.map((r) => `${r.region} (${r.why})`).join(', '),
        'add ' +
          (names.length === 1 ? 'that region' : 'those regions') +
          ' with a DistributeToGallery step: action: replicate, ' +
          `imageDefinition: ${i.name}, ` +
          `version: ${i.version.name}, targetRegions: ` +
          [...i.version.regions, ...names].join(', '),
      );
    },
  },
];
