// Dev Box's image requirements (Microsoft's "Configure Azure Compute Gallery for Microsoft Dev
// Box"): what a gallery image definition must declare to be listed by the dev center at all, and
// the rules a definition's image validation checks, first unmet one reported. Every failure is
// `SourceImageInvalid`, the code Dev Box gives a customer-managed-key image; the messages are
// written in the service's style, not seen verbatim.
import type { StoredResource } from '../arm/store';
import { regionKey } from './regions';

export const SOURCE_IMAGE_INVALID = 'SourceImageInvalid';

export interface ImageProblem {
  code: string;
  message: string;
}

const TRUSTED_LAUNCH = /^TrustedLaunch(Supported|AndConfidentialVmSupported)?$/i;
const MULTI_SESSION = /(^|[-_.])(avd|evd|multi-?session)([-_.]|$)/i;
/** Windows N editions (entn, pron, "-n") and LTSC/LTSB channels, in offer or sku tokens. */
const N_OR_LTSC = /(^|[-_.])(n|entn|pron|ltsc\d*|ltsb\d*)([-_.]|$)/i;

function securityType(definition: StoredResource): string {
  const f = (definition.properties?.features ?? []).find((x: any) =>
    /^SecurityType$/i.test(String(x?.name)),
  );
  return String(f?.value ?? '');
}

/**
 * The definition-level metadata Dev Box needs before it shows an image at all (the dev center's
 * image lists silently leave the others out): Windows, Generalized, Hyper-V V2, Trusted launch.
 */
export function listable(definition: StoredResource): boolean {
  const p = definition.properties ?? {};
  return (
    /^windows$/i.test(String(p.osType)) &&
    /^generalized$/i.test(String(p.osState)) &&
    /^v2$/i.test(String(p.hyperVGeneration ?? 'V1')) &&
    TRUSTED_LAUNCH.test(securityType(definition))
  );
}

function problem(definition: StoredResource, rule: string): ImageProblem {
  return { code: SOURCE_IMAGE_INVALID, message: `Image '${definition.name}': ${rule}` };
}

/** Rules of the image definition (fixed when it is created). */
function definitionProblem(d: StoredResource): ImageProblem | undefined {
  const p = d.properties ?? {};
  const offer = String(p.identifier?.offer ?? '');
  const sku = String(p.identifier?.sku ?? '');
  if (!/^windows$/i.test(String(p.osType)))
    return problem(
      d,
      `the operating system is ${p.osType ?? 'not set'}, not Windows. Dev Box supports ` +
        `Windows 10 and Windows 11 Enterprise images.`,
    );
  if (!/^generalized$/i.test(String(p.osState)))
    return problem(d, `the image is ${p.osState ?? 'Specialized'}. Dev Box needs Generalized.`);
  if (!/^v2$/i.test(String(p.hyperVGeneration ?? 'V1')))
    return problem(
      d,
      `Hyper-V generation ${p.hyperVGeneration ?? 'V1'}. Dev Box needs generation V2.`,
    );
  if (!TRUSTED_LAUNCH.test(securityType(d)))
    return problem(
      d,
      `security type ${securityType(d) || 'Standard'}. Dev Box needs TrustedLaunch ` +
        `(or TrustedLaunchSupported).`,
    );
  if (MULTI_SESSION.test(offer) || MULTI_SESSION.test(sku))
    return problem(
      d,
      `offer '${offer}' / sku '${sku}' is a multi-session image. Dev Box needs Windows ` +
        `Enterprise single-session.`,
    );
  if (N_OR_LTSC.test(offer) || N_OR_LTSC.test(sku))
    return problem(
      d,
      `offer '${offer}' / sku '${sku}' is an N or LTSC edition. Dev Box needs Windows ` +
        `Enterprise single-session (not N, not LTSC).`,
    );
  return undefined;
}

/** Rules of the version: disks, encryption, and the regions it is replicated to. */
function versionProblem(
  d: StoredResource,
  v: StoredResource,
  requiredRegions: string[],
): ImageProblem | undefined {
  const sp = v.properties?.storageProfile ?? {};
  const regions: any[] = v.properties?.publishingProfile?.targetRegions ?? [];
  if ((sp.dataDiskImages ?? []).length > 0)
    return problem(
      d,
      `version ${v.name} has ${sp.dataDiskImages.length} data disk(s). Dev Box images ` +
        `must not have data disks.`,
    );
  const des = regions
    .map((t) => t?.encryption)
    .flatMap((e) => [
      e?.osDiskImage?.diskEncryptionSetId,
      ...(e?.dataDiskImages ?? []).map((x: any) => x?.diskEncryptionSetId),
    ])
    .find((x) => typeof x === 'string' && x !== '');
  if (des)
    return problem(
      d,
      `version ${v.name} is encrypted with a customer-managed key (disk encryption set ` +
        `'${des}'). Dev Box does not support customer-managed-key encrypted images.`,
    );
  const have = new Set(regions.map((t) => regionKey(String(t?.name ?? ''))));
  const missing = [...new Set(requiredRegions.map(regionKey))].filter((r) => !have.has(r));
  if (missing.length > 0)
    return problem(
      d,
      `version ${v.name} is not replicated to region(s) ${missing.join(', ')}, where the dev ` +
        `center or its pools' networks are. Replicate it there.`,
    );
  return undefined;
}

/**
 * The first Dev Box rule the image (definition + version) breaks, or undefined. `requiredRegions`:
 * the dev center's region and those of the networks of the pools using the definition;
 * `hibernate`: the dev box definition has `hibernateSupport: Enabled`.
 */
export function imageProblem(
  definition: StoredResource,
  version: StoredResource,
  requiredRegions: string[],
  options: { hibernate: boolean },
): ImageProblem | undefined {
  return (
    definitionProblem(definition) ??
    versionProblem(definition, version, requiredRegions) ??
    (options.hibernate && !hibernateSupported(definition)
      ? problem(
          definition,
          `the dev box definition enables hibernation but the image definition does not ` +
            `have the feature IsHibernateSupported = True.`,
        )
      : undefined)
  );
}

export function hibernateSupported(definition: StoredResource): boolean {
  return (definition.properties?.features ?? []).some(
    (f: any) => /^IsHibernateSupported$/i.test(String(f?.name)) && /^true$/i.test(String(f?.value)),
  );
}
