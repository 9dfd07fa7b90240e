/**
 * The existing Microsoft AzureImageBuilderTask's inputs whose meaning is more than a new name
 * (plain renames are task.json aliases, resolved before the task runs): translated into this task's
 * inputs, so that a YAML step of that task builds the same image with only its task name changed.
 * What the Microsoft task ignored is ignored with a warning; a legacy input that disagrees with
 * this task's input for the same thing is refused, naming both. Nothing here reads Azure: every
 * problem is an InputError before anything is created.
 */
import { errorMessage, InputError } from '../../core/errors';
import { parseDuration } from '../../core/duration';
import { InputReader } from '../../core/inputReader';
import { parseGalleryId, sameId } from '../../azure/resourceIds';
import { requireManagedImageId } from './distributeInputs';
import {
  LEGACY_SOURCE_KINDS,
  parseGalleryVersionRef,
  parseManagedImageRef,
  parseMarketplaceUrn,
  parsePlan,
  BUILD_SOURCE_KINDS,
  BuildSourceKind,
} from './sourceRef';

/**
 * The Microsoft task's placeholder texts, which its classic editor pre-filled: they mean "not set".
 */
const PLACEHOLDER_URN = 'publisher:offer:sku';
const PLACEHOLDER_PLAN = 'planname:planproduct:planpublisher';

/** Its Windows Update step: IsInstalled=0, preview updates left out. */
export const LEGACY_WINDOWS_UPDATE = {
  searchCriteria: 'IsInstalled=0',
  filters: ["exclude:$_.Title -like '*Preview*'", 'include:$true'],
} as const;

/**
 * task.json defaults of the inputs a legacy input fills. The agent passes a default when the step
 * does not set the input, so a value equal to it does not count as set (a unit test keeps these
 * equal to task.json).
 */
export const FILLED_INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  buildTimeout: '240',
  versionStrategy: 'next',
  windowsUpdate: 'false',
  vhd: 'false',
  keepTemplate: 'false',
};

/** `distributeType` values (lower case) and the target each selects. */
type DistributeTarget = 'gallery' | 'managedImage' | 'vhd';
const DISTRIBUTE_TYPES: Record<string, DistributeTarget> = {
  sig: 'gallery',
  gallery: 'gallery',
  managedimage: 'managedImage',
  vhd: 'vhd',
};

export interface LegacyTranslation {
  /**
   * This task's inputs as the legacy inputs say them, by this task's input name ('' reads as
   * unset).
   */
  values: Map<string, string>;
  /** What was ignored or changed the way the Microsoft task did it, to print before the build. */
  warnings: string[];
}

/**
 * Reads the legacy inputs; `inputs.with(result.values)` then reads like a step written for this
 * task.
 */
export function translateLegacyInputs(inputs: InputReader): LegacyTranslation {
  const t = new Translation(inputs);
  t.source();
  t.customize();
  t.distribute();
  t.settings();
  return { values: t.values, warnings: t.warnings };
}

/** A value of this task's input `name` taken from the legacy input `legacy`. */
interface Fill {
  name: string;
  value: string;
  legacy: string;
  /** What the two inputs give, in words, for the refusal when they disagree. */
  what: string;
  /** Whether two values are the same (the same id in another case, the same duration...). */
  same?: (a: string, b: string) => boolean;
  /** The value as the legacy input gave it, when it is translated. */
  given?: string;
}

class Translation {
  readonly values = new Map<string, string>();
  readonly warnings: string[] = [];
  /**
   * `distributeType` is required in the Microsoft task: a step that sets it was written for that
   * task.
   */
  private readonly legacyStep: boolean;

  constructor(private readonly inputs: InputReader) {
    this.legacyStep = !!inputs.string('distributeType');
  }

  /** This task's own value of an input, undefined when unset or at its task.json default. */
  private own(name: string): string | undefined {
    const v = this.inputs.string(name);
    return v === undefined || v.toLowerCase() === FILLED_INPUT_DEFAULTS[name]?.toLowerCase()
      ? undefined
      : v;
  }

  /** Sets `name` to `value`, which `legacy` gave; a different value of `name` itself is refused. */
  private fill(o: Fill): void {
    const { name, value, legacy, same = (a, b) => a === b, given = value } = o;
    const own = this.own(name);
    if (own !== undefined && !same(own, value)) {
      throw new InputError(
        legacy,
        `'${given}' and ${name} '${own}' both give ${o.what} and disagree`,
        `one of the two (${name} is this task's name for it)`,
      );
    }
    this.values.set(name, value);
  }

  private ignore(legacy: string, why: string): void {
    this.warnings.push(`${legacy} is ignored: ${why}.`);
  }

  /**
   * imageSource chooses which input names the source: baseImagePubOfferSku / baseImage,
   * customImageResourceId or imageVersionId.
   */
  source(): void {
    const raw = this.inputs.string('sourceType') ?? 'auto';
    const kind: BuildSourceKind | 'auto' =
      LEGACY_SOURCE_KINDS[raw.toLowerCase()] ??
      BUILD_SOURCE_KINDS.find((k) => k.toLowerCase() === raw.toLowerCase()) ??
      'auto';
    const urn = this.inputs.string('baseImagePubOfferSku');
    const named: [BuildSourceKind, string, string | undefined][] = [
      [
        'marketplace',
        'baseImagePubOfferSku',
        urn?.toLowerCase() === PLACEHOLDER_URN ? undefined : urn,
      ],
      ['managedImage', 'customImageResourceId', this.inputs.string('customImageResourceId')],
      ['galleryImageVersion', 'imageVersionId', this.inputs.string('imageVersionId')],
    ];
    const given = named.filter(([, , v]) => v !== undefined) as [BuildSourceKind, string, string][];
    let chosen = given.find(([k]) => k === kind);
    if (kind === 'auto' && given.length > 1) {
      throw new InputError(
        given[0][1],
        `and ${given[1][1]} both name the source image`,
        'imageSource (marketplace, managedimage or sig) to say which, or only one of them',
      );
    }
    if (kind === 'auto') chosen = given[0];
    for (const [, name] of given.filter((g) => g !== chosen))
      this.ignore(
        name,
        `imageSource is '${raw}' (the Microsoft task read it only for its own source type)`,
      );
    const effective = chosen?.[0] ?? kind;
    this.plan(effective);
    if (!chosen) return;
    const [chosenKind, legacy, value] = chosen;
    const sourceImage = this.inputs.string('sourceImage');
    if (sourceImage !== undefined && !sameId(sourceImage, value)) {
      // baseImage (now sourceImage) was a pick list with a default: the Microsoft task preferred
      // baseImagePubOfferSku over it, and read it only for marketplace sources.
      if (sourceImage.startsWith('/')) {
        throw new InputError(
          legacy,
          `'${value}' and sourceImage '${sourceImage}' both name the source image and disagree`,
          "one of the two (sourceImage is this task's name for it)",
        );
      }
      this.ignore(
        `sourceImage (baseImage) '${sourceImage}'`,
        `${legacy} names the source, as the Microsoft task preferred`,
      );
    }
    try {
      if (chosenKind === 'marketplace')
        parseMarketplaceUrn(value, this.inputs.string('sourceImageVersion'));
      else if (chosenKind === 'managedImage') parseManagedImageRef(value);
      else parseGalleryVersionRef(value);
    } catch (err) {
      throw new InputError(legacy, errorMessage(err).replace(/\.$/, ''));
    }
    this.values.set('sourceImage', value);
    if (kind === 'auto') this.values.set('sourceType', chosenKind);
  }

  /**
   * platformImagePurchasePlan: `planName:planProduct:planPublisher`, as sourcePlan; marketplace
   * sources only.
   */
  private plan(kind: BuildSourceKind | 'auto'): void {
    const plan = this.inputs.string('platformImagePurchasePlan');
    if (plan === undefined || plan.toLowerCase() === PLACEHOLDER_PLAN) return;
    if (kind !== 'marketplace' && kind !== 'auto')
      return this.ignore('platformImagePurchasePlan', 'the source is not a marketplace image');
    try {
      parsePlan(plan);
    } catch (err) {
      throw new InputError('platformImagePurchasePlan', errorMessage(err).replace(/\.$/, ''));
    }
    this.fill({
      name: 'sourcePlan',
      value: plan,
      legacy: 'platformImagePurchasePlan',
      what: 'the purchase plan',
      same: (a, b) => a.replace(/\s/g, '').toLowerCase() === b.replace(/\s/g, '').toLowerCase(),
    });
  }

  customize(): void {
    const shell = /^shell$/i.test(this.inputs.string('scriptType') ?? '');
    if (this.inputs.bool('windowsUpdateProvisioner')) {
      if (shell)
        this.ignore(
          'windowsUpdateProvisioner',
          'the provisioner is shell (the Microsoft task ran Windows Update with powershell only)',
        );
      else {
        this.values.set('windowsUpdate', 'true');
        if (!this.inputs.string('windowsUpdateSearchCriteria'))
          this.values.set('windowsUpdateSearchCriteria', LEGACY_WINDOWS_UPDATE.searchCriteria);
        if (!this.inputs.string('windowsUpdateFilters'))
          this.values.set('windowsUpdateFilters', LEGACY_WINDOWS_UPDATE.filters.join('\n'));
      }
    }
    if (!this.legacyStep) return;
    // The Microsoft task ignored these where this task refuses them.
    const elevated = this.inputs.bool('runElevated');
    if (shell && elevated) {
      this.ignore('runElevated', 'the provisioner is shell');
      this.values.set('runElevated', '');
    }
    if (this.inputs.bool('runAsSystem') && (shell || !elevated)) {
      this.ignore('runAsSystem', shell ? 'the provisioner is shell' : 'runElevated is not set');
      this.values.set('runAsSystem', '');
    }
  }

  /**
   * distributeType selects the one target the Microsoft task's other distribute inputs describe.
   */
  distribute(): void {
    const raw = this.inputs.string('distributeType');
    const type =
      raw === undefined
        ? undefined
        : (DISTRIBUTE_TYPES[raw.toLowerCase()] as DistributeTarget | undefined);
    if (raw !== undefined && !type)
      throw new InputError(
        'distributeType',
        `'${raw}' is not a distribution type`,
        'sig, managedImage or vhd',
      );
    const gallery = this.inputs.string('galleryImageId');
    if (gallery !== undefined && (!type || type === 'gallery')) {
      if (!parseGalleryId(gallery)?.definition) {
        throw new InputError(
          'galleryImageId',
          `'${gallery}' is not the resource id of a gallery image definition`,
          '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/galleries' +
            '/<gallery>/images/<definition>',
        );
      }
      this.fill({
        name: 'galleryImageDefinitionId',
        value: gallery,
        legacy: 'galleryImageId',
        what: 'the gallery image definition',
        same: sameId,
      });
    } else if (gallery !== undefined) this.ignore('galleryImageId', `distributeType is '${raw}'`);
    else if (type === 'gallery' && !this.inputs.string('galleryImageDefinitionId')) {
      throw new InputError(
        'galleryImageId',
        'a value is required when distributeType is sig',
        'the resource id of the gallery image definition to publish to',
      );
    }
    const managed = this.inputs.string('imageIdForDistribute');
    if (managed !== undefined && (!type || type === 'managedImage')) {
      requireManagedImageId('imageIdForDistribute', managed);
      this.fill({
        name: 'managedImageId',
        value: managed,
        legacy: 'imageIdForDistribute',
        what: 'the managed image to create',
        same: sameId,
      });
    } else if (managed !== undefined)
      this.ignore('imageIdForDistribute', `distributeType is '${raw}'`);
    else if (type === 'managedImage' && !this.inputs.string('managedImageId')) {
      throw new InputError(
        'imageIdForDistribute',
        'a value is required when distributeType is managedImage',
        'the resource id of the managed image to create',
      );
    }
    if (type === 'vhd') {
      this.values.set('vhd', 'true');
      if (!this.inputs.string('vhdUri')) {
        // The VHD is written to Image Builder's staging storage, which goes with the template.
        this.values.set('keepTemplate', 'true');
        this.warnings.push(
          "distributeType vhd without vhdUri: the VHD stays in Image Builder's staging " +
            'resource group, which is deleted with the image template, so the template is ' +
            'kept (as the Microsoft task did). Delete it once the VHD is copied, or give ' +
            'vhdUri.',
        );
      }
    }
    const scheme = this.inputs.string('distributeVersioningScheme');
    if (scheme !== undefined && /^latest$/i.test(scheme))
      this.fill({
        name: 'versionStrategy',
        value: 'next',
        legacy: 'distributeVersioningScheme',
        what: 'how the gallery version is chosen',
        given: scheme,
      });
    else if (scheme !== undefined && /^source$/i.test(scheme)) {
      throw new InputError(
        'distributeVersioningScheme',
        "'Source' (the version taken from the source image's) is not supported by this task",
        'Latest, or versionStrategy next, buildNumber or explicit',
      );
    } else if (scheme !== undefined)
      throw new InputError(
        'distributeVersioningScheme',
        `'${scheme}' is not a versioning scheme`,
        'Latest',
      );
  }

  settings(): void {
    const minutes = this.inputs.string('buildTimeoutInMinutes');
    if (minutes !== undefined) {
      if (!/^\d+$/.test(minutes) || Number(minutes) > 960) {
        throw new InputError(
          'buildTimeoutInMinutes',
          `'${minutes}' is not a whole number of minutes from 0 to 960`,
          "0 (Image Builder's default, 4 hours) or the minutes the build may take, at most 960",
        );
      }
      // 0 meant Image Builder's default, which is this task's default too.
      if (Number(minutes) > 0)
        this.fill({
          name: 'buildTimeout',
          value: minutes,
          legacy: 'buildTimeoutInMinutes',
          what: 'the build timeout',
          same: (a, b) => parseDuration(a, 'm') === parseDuration(b, 'm'),
        });
    }
    if (
      this.inputs.string('enableValidation') !== undefined &&
      !this.inputs.bool('enableValidation')
    ) {
      for (const name of [
        'validationScript',
        'sourceValidationOnly',
        'continueDistributeOnValidationFailure',
      ]) {
        const v = this.inputs.string(name);
        if (v === undefined || /^false$/i.test(v)) continue;
        this.ignore(name, 'enableValidation is false');
        this.values.set(name, '');
      }
    }
  }
}
