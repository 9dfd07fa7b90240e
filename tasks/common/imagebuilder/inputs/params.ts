/**
 * BuildImage's parameters, read from the task inputs and checked before anything is done in Azure:
 * every error names the input, says what was wrong and what would be right.
 */
import { InputError, errorMessage } from '../../core/errors';
import { InputReader } from '../../core/inputReader';
import { PipelineInfo } from '../../core/pipelineInfo';
import { RegionDefaults, RegionSpec } from '../../gallery/regions';
import { parseResourceId, typeOf } from '../../azure/resourceIds';
import type { Customizer } from '../template/customizers';
import { translateLegacyInputs } from './legacyInputs';
import { readTemplateFileInputs, TemplateFileInput } from '../template/templateFile/inputs';
import { readCustomize } from './customizeInputs';
import { readDistribute, REGION } from './distributeInputs';
import { readSettings } from './settingsInputs';
import {
  guessKind,
  LEGACY_SOURCE_KINDS,
  parseGalleryVersionRef,
  parseManagedImageRef,
  parseMarketplaceUrn,
  parsePlan,
  BUILD_SOURCE_KINDS,
  BuildSourceKind,
  SourceRef,
} from './sourceRef';

const BUILD_IMAGE_ACTIONS = ['build', 'validate', 'start', 'wait', 'cancel', 'cleanup'] as const;
export type BuildImageAction = (typeof BUILD_IMAGE_ACTIONS)[number];
/** What a build's parameters can ask for: `cleanup` has parameters of its own (CleanupParams). */
const BUILD_ACTIONS = BUILD_IMAGE_ACTIONS.filter(
  (a): a is Exclude<BuildImageAction, 'cleanup'> => a !== 'cleanup',
);

export type OsType = 'Windows' | 'Linux';
export type ScriptKind = 'PowerShell' | 'Shell';

export interface ScriptStep {
  /** undefined: follows the source's OS (PowerShell on Windows, Shell on Linux). */
  kind?: ScriptKind;
  lines: string[];
  /** Where the lines came from, for the customiser's name: `inline` or the file's path. */
  origin: string;
  runElevated: boolean;
  runAsSystem: boolean;
  validExitCodes: number[];
}

export interface ArtifactsParams {
  /** Absolute path of the folder. */
  folder: string;
  /**
   * Storage account name (anywhere in the subscription); undefined: the task's own account in the
   * resource group.
   */
  storageAccount?: string;
  /** Keep the archive blob after the build (it is deleted by default). */
  keep: boolean;
}

export interface CustomizeParams {
  packagePath?: ArtifactsParams;
  /**
   * Where uploads go and whether they stay: the packagePath archive and the local files a
   * customizersFile or templateFile names.
   */
  uploads: Omit<ArtifactsParams, 'folder'>;
  /**
   * customizersFile: its customisers, after the artifacts' (it replaces script, restart and Windows
   * Update).
   */
  fromFile?: { path: string; customizers: Customizer[]; warnings: string[] };
  script?: ScriptStep;
  restart?: { checkCommand?: string; timeout?: string };
  windowsUpdate?: { searchCriteria?: string; filters: string[]; updateLimit?: number };
}

export type GalleryVersionPlan =
  | { kind: 'fixed'; version: string; origin: 'explicit' | 'buildNumber' }
  | { kind: 'next'; major?: number };

export interface GalleryTarget {
  definitionId: string;
  version: GalleryVersionPlan;
  regions: RegionSpec[];
  defaults: RegionDefaults;
  excludeFromLatest: boolean;
}

export interface BuildTargets {
  gallery?: GalleryTarget;
  managedImage?: { id: string; location?: string };
  vhd?: { uri?: string };
}

export interface BuildSettings {
  vmSize?: string;
  osDiskSizeGB?: number;
  buildTimeoutMinutes: number;
  subnetId?: string;
  proxyVmSize?: string;
  containerInstanceSubnetId?: string;
  stagingResourceGroup?: string;
  managedResourceTags: Record<string, string>;
  buildVmIdentities: string[];
  validation: { script?: string[]; sourceValidationOnly: boolean; continueOnFailure: boolean };
  optimizeBoot: boolean;
  onCustomizerError?: 'cleanup' | 'abort';
  onValidationError?: 'cleanup' | 'abort';
}

export interface BuildParams {
  action: Exclude<BuildImageAction, 'cleanup'>;
  location: string;
  resourceGroup: string;
  /**
   * Resource id of the AIB user-assigned identity, or its name in `resourceGroup`; undefined: a
   * template file's, else the task's own.
   */
  identity?: string;
  /** undefined with templateFile: the file's source, resolved once the file is evaluated. */
  source?: SourceRef;
  templateFile?: TemplateFileInput;
  /** Declared OS; otherwise read from the source. */
  osType?: OsType;
  customize: CustomizeParams;
  distribute: BuildTargets;
  settings: BuildSettings;
  keepTemplate: boolean;
  pollIntervalMs: number;
  /** Legacy inputs ignored or changed as the Microsoft task did, printed before the build. */
  inputWarnings?: string[];
}

/**
 * `wait` / `cancel` given a templateName (the output of `start`, maybe in another job): everything
 * else is in the template, so no other input about its content is read.
 */
export interface NamedTemplateParams {
  action: 'wait' | 'cancel';
  resourceGroup: string;
  templateName: string;
  keepTemplate: boolean;
  keepArtifacts: boolean;
  pollIntervalMs: number;
}

/** `cleanup` reads only where to look; what is this pipeline's comes from the provenance tags. */
export interface CleanupParams {
  action: 'cleanup';
  resourceGroup: string;
}

export type TaskParams = BuildParams | NamedTemplateParams | CleanupParams;

export function isNamedTemplate(p: TaskParams): p is NamedTemplateParams {
  return 'templateName' in p;
}

export function isCleanup(p: TaskParams): p is CleanupParams {
  return p.action === 'cleanup';
}

const RG_NAME = /^[-\w._()]{1,89}[-\w_()]$/;

/** The resource providers the task's entry requires registered before anything else. */
export const BUILD_IMAGE_PROVIDERS = [
  'Microsoft.VirtualMachineImages',
  'Microsoft.Compute',
  'Microsoft.Storage',
  'Microsoft.Network',
  'Microsoft.ManagedIdentity',
  'Microsoft.ContainerInstance',
];

/** The task's parameters: a named template to wait for or cancel, or everything a build reads. */
export function readTaskParams(inputs: InputReader, pipeline: PipelineInfo): TaskParams {
  const action = inputs.choice('action', BUILD_IMAGE_ACTIONS, 'build');
  if (action === 'cleanup') {
    return {
      action,
      resourceGroup: inputs.string('resourceGroup', {
        required: true,
        pattern: RG_NAME,
        expected: 'the name of the resource group that holds the image templates',
      }),
    };
  }
  const templateName =
    action === 'wait' || action === 'cancel'
      ? inputs.string('templateName', {
          pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
          expected: 'an image template name (the templateName output of action start)',
        })
      : undefined;
  if (templateName) {
    return {
      action: action as 'wait' | 'cancel',
      resourceGroup: inputs.string('resourceGroup', {
        required: true,
        pattern: RG_NAME,
        expected: 'the name of the resource group that holds the image template',
      }),
      templateName,
      keepTemplate: inputs.bool('keepTemplate'),
      keepArtifacts: inputs.bool('keepArtifacts'),
      pollIntervalMs: readPollInterval(inputs),
    };
  }
  return readBuildParams(inputs, pipeline);
}

/** Reads and checks every input; throws InputError on the first problem. */
export function readBuildParams(given: InputReader, pipeline: PipelineInfo): BuildParams {
  // The existing Microsoft task's inputs that are more than renames, read as this task's own
  // (legacyInputs.ts).
  const legacy = translateLegacyInputs(given);
  const inputs = given.with(legacy.values);
  const action = inputs.choice('action', BUILD_ACTIONS, 'build');
  const location = inputs
    .string('location', { required: true, expected: 'an Azure region name such as westeurope' })
    .toLowerCase()
    .replace(/\s+/g, '');
  if (!REGION.test(location))
    throw new InputError(
      'location',
      `'${location}' is not a region name`,
      'an Azure region name such as westeurope',
    );
  const resourceGroup = inputs.string('resourceGroup', {
    required: true,
    pattern: RG_NAME,
    expected: 'the name of the resource group that holds the image template',
  });
  const templateFile = readTemplateFileInputs(inputs, pipeline);
  const params: BuildParams = {
    action,
    location,
    resourceGroup,
    identity: readIdentity(inputs),
    source: templateFile ? undefined : readSource(inputs),
    templateFile,
    osType: readOsType(inputs),
    customize: readCustomize(inputs, pipeline),
    distribute: readDistribute(inputs, pipeline),
    settings: readSettings(inputs),
    keepTemplate: inputs.bool('keepTemplate'),
    pollIntervalMs: readPollInterval(inputs),
    inputWarnings: legacy.warnings,
  };
  if (templateFile) checkTemplateFileAlone(params);
  else if (
    !params.distribute.gallery &&
    !params.distribute.managedImage &&
    !params.distribute.vhd
  ) {
    throw new InputError(
      'galleryImageDefinitionId',
      'no distribution target is set',
      'a gallery image definition id, a managed image id (managedImageId), or vhd: true ' +
        '(several may be set)',
    );
  }
  if (params.settings.validation.sourceValidationOnly && hasCustomizers(params.customize)) {
    throw new InputError(
      'sourceValidationOnly',
      'validates the source image as it is, but customisers are set too',
      'sourceValidationOnly: false, or no script, restart, Windows Update or package',
    );
  }
  return params;
}

/**
 * With templateFile the file says what to build: inputs that would say it too are refused, naming
 * both.
 */
function checkTemplateFileAlone(p: BuildParams): void {
  const c = p.customize;
  const clash = c.fromFile
    ? 'customizersFile'
    : c.script
      ? 'scriptSource'
      : c.restart
        ? 'restart'
        : c.windowsUpdate
          ? 'windowsUpdate'
          : p.distribute.gallery
            ? 'galleryImageDefinitionId'
            : p.distribute.managedImage
              ? 'managedImageId'
              : p.distribute.vhd
                ? 'vhd'
                : undefined;
  if (clash)
    throw new InputError(
      'templateFile',
      `and ${clash} are both set; the template file's source, customize and distribute are ` +
        `what is built`,
      `one of the two (put the step into the template file's properties)`,
    );
}

function readPollInterval(inputs: InputReader): number {
  return inputs.duration('pollInterval', {
    bareUnit: 's',
    min: 100,
    max: 600_000,
    defaultValue: 30_000,
  }) as number;
}

function hasCustomizers(c: CustomizeParams): boolean {
  return !!(c.packagePath || c.script || c.restart || c.windowsUpdate || c.fromFile);
}

/**
 * Optional: without it the template file's identity, else the task's own (access/aibIdentity.ts).
 */
function readIdentity(inputs: InputReader): string | undefined {
  const value = inputs.string('managedIdentity');
  if (!value) return undefined;
  if (value.startsWith('/')) {
    const p = parseResourceId(value);
    if (!p || typeOf(p).toLowerCase() !== 'microsoft.managedidentity/userassignedidentities') {
      throw new InputError(
        'managedIdentity',
        `'${value}' is not the resource id of a user-assigned identity`,
        '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity' +
          '/userAssignedIdentities/<name>',
      );
    }
  } else if (!/^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/.test(value)) {
    throw new InputError(
      'managedIdentity',
      `'${value}' is not an identity name`,
      '3 to 128 letters, digits, dashes and underscores, or a full resource id',
    );
  }
  return value;
}

function readSource(inputs: InputReader): SourceRef {
  const raw = inputs.string('sourceType') ?? 'auto';
  const legacy = LEGACY_SOURCE_KINDS[raw.toLowerCase()];
  const declared =
    legacy ?? inputs.choice('sourceType', ['auto', ...BUILD_SOURCE_KINDS] as const, 'auto');
  const value = inputs.string('sourceImage', {
    required: true,
    expected:
      'a marketplace URN (publisher:offer:sku[:version]), a gallery image version id or a ' +
      'managed image id',
  });
  const kind: BuildSourceKind = declared === 'auto' ? guessKind(value) : declared;
  try {
    switch (kind) {
      case 'marketplace': {
        const ref = parseMarketplaceUrn(value, inputs.string('sourceImageVersion'));
        const plan = inputs.string('sourcePlan');
        return plan ? { ...ref, plan: parsePlan(plan) } : ref;
      }
      case 'galleryImageVersion':
        return parseGalleryVersionRef(value);
      case 'managedImage':
        return parseManagedImageRef(value);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const input = /purchase plan/.test(errorMessage(err))
      ? 'sourcePlan'
      : /version input/.test(errorMessage(err))
        ? 'sourceImageVersion'
        : 'sourceImage';
    throw new InputError(input, errorMessage(err).replace(/\.$/, ''));
  }
}

function readOsType(inputs: InputReader): OsType | undefined {
  const v = inputs.choice('osType', ['auto', 'Windows', 'Linux'] as const, 'auto');
  return v === 'auto' ? undefined : v;
}
