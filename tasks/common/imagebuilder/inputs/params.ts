/**
 * BuildImage's parameters, read from the task inputs and checked before anything is done in Azure:
 * every error names the input, says what was wrong and what would be right.
 */
import * as fs from 'fs';
import * as path from 'path';
import { InputError, errorMessage } from '../../core/errors';
import { InputReader } from '../../core/inputReader';
import { PipelineInfo } from '../../core/pipelineInfo';
import {
  parseRegionSpecs,
  RegionDefaults,
  RegionSpec,
  STORAGE_ACCOUNT_TYPES,
} from '../../gallery/regions';
import { parseGalleryId, parseResourceId, typeOf } from '../../azure/resourceIds';
import { versionFromBuildNumber, versionProblem } from '../../gallery/versioning';
import type { Customizer } from '../template/customizers';
import { translateLegacyInputs } from './legacyInputs';
import {
  readCustomizersFile,
  readTemplateFileInputs,
  TemplateFileInput,
} from '../template/templateFile/inputs';
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

const REGION = /^[a-z][a-z0-9]*$/;
const VM_SIZE = /^(Standard|Basic)_[A-Za-z0-9_-]+$/;
const RG_NAME = /^[-\w._()]{1,89}[-\w_()]$/;

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

/** Optional: without it the template file's identity, else the task's own (aibIdentity.ts). */
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

function readCustomize(inputs: InputReader, pipeline: PipelineInfo): CustomizeParams {
  const packagePath = readArtifacts(inputs, pipeline);
  const script = readScript(inputs, pipeline);
  const restart = inputs.bool('restart')
    ? {
        checkCommand: inputs.string('restartCheckCommand'),
        timeout: readAibDuration(inputs, 'restartTimeout'),
      }
    : undefined;
  const windowsUpdate = inputs.bool('windowsUpdate')
    ? {
        searchCriteria: inputs.string('windowsUpdateSearchCriteria'),
        filters: inputs.list('windowsUpdateFilters'),
        updateLimit: inputs.int('windowsUpdateLimit', { min: 1, max: 10_000 }),
      }
    : undefined;
  const fromFile = readCustomizersFile(inputs, pipeline);
  const clash = script
    ? 'scriptSource'
    : restart
      ? 'restart'
      : windowsUpdate
        ? 'windowsUpdate'
        : undefined;
  if (fromFile && clash) {
    throw new InputError(
      'customizersFile',
      `and ${clash} are both set; the customisers file replaces the script, restart and ` +
        `Windows Update inputs`,
      'one of the two (put the step into the customisers file)',
    );
  }
  return { packagePath, uploads: readUploads(inputs), script, restart, windowsUpdate, fromFile };
}

function readUploads(inputs: InputReader): Omit<ArtifactsParams, 'folder'> {
  const storageAccount =
    inputs.string('storageAccountName', {
      pattern: /^[a-z0-9]{3,24}$/,
      expected: 'a storage account name: 3 to 24 lower-case letters and digits',
    }) || undefined;
  return { storageAccount, keep: inputs.bool('keepArtifacts') };
}

function readArtifacts(inputs: InputReader, pipeline: PipelineInfo): ArtifactsParams | undefined {
  const given = inputs.string('packagePath');
  if (!given) return undefined;
  const base = pipeline.defaultWorkingDirectory || process.cwd();
  const folder = path.resolve(base, given);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch (err) {
    throw new InputError(
      'packagePath',
      `'${given}' can't be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`,
      `a folder under ${base}`,
    );
  }
  if (!stat.isDirectory())
    throw new InputError(
      'packagePath',
      `'${given}' is a file`,
      'a folder (its contents are zipped and unpacked on the build VM)',
    );
  return { folder, ...readUploads(inputs) };
}

function readScript(inputs: InputReader, pipeline: PipelineInfo): ScriptStep | undefined {
  const source = inputs.choice(
    'scriptSource',
    ['none', 'inline', 'file'] as const,
    inputs.string('inlineScript') ? 'inline' : inputs.string('scriptPath') ? 'file' : 'none',
  );
  if (source === 'none') return undefined;
  const type = inputs.choice('scriptType', ['auto', 'PowerShell', 'Shell'] as const, 'auto');
  let lines: string[];
  let origin = 'inline';
  if (source === 'inline') {
    const text = inputs.string('inlineScript', {
      required: true,
      expected: 'the commands to run on the build VM',
    });
    lines = text.split(/\r?\n/);
  } else {
    const given = inputs.string('scriptPath', {
      required: true,
      expected: 'the path of a script in the repository',
    });
    const file = path.resolve(pipeline.defaultWorkingDirectory || process.cwd(), given);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new InputError(
        'scriptPath',
        `'${given}' can't be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`,
        `a file under ${pipeline.defaultWorkingDirectory || process.cwd()}`,
      );
    }
    lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    origin = given;
  }
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  if (lines.length === 0)
    throw new InputError(
      source === 'inline' ? 'inlineScript' : 'scriptPath',
      'the script is empty',
      'at least one command',
    );
  const runElevated = inputs.bool('runElevated');
  const runAsSystem = inputs.bool('runAsSystem');
  if (runAsSystem && !runElevated)
    throw new InputError(
      'runAsSystem',
      'runs the script as SYSTEM, which Image Builder allows only elevated',
      'runElevated: true as well',
    );
  const validExitCodes = inputs.list('validExitCodes').map((c) => {
    if (!/^-?\d+$/.test(c))
      throw new InputError(
        'validExitCodes',
        `'${c}' is not a whole number`,
        'exit codes such as 0, 3010',
      );
    return Number(c);
  });
  const kind = type === 'auto' ? undefined : type;
  if (kind === 'Shell' && (runElevated || validExitCodes.length)) {
    throw new InputError(
      runElevated ? 'runElevated' : 'validExitCodes',
      'applies to PowerShell scripts only',
      'scriptType PowerShell, or leave it unset',
    );
  }
  return { kind, lines, origin, runElevated, runAsSystem, validExitCodes };
}

/** Image Builder's duration strings (`5m`, `1h30m`) as restartTimeout takes them. */
function readAibDuration(inputs: InputReader, name: string): string | undefined {
  const v = inputs.string(name, {
    pattern: /^(\d+h)?(\d+m)?(\d+s)?$/,
    expected: 'a duration such as 5m, 1h or 1h30m',
  });
  return v || undefined;
}

function readDistribute(inputs: InputReader, pipeline: PipelineInfo): BuildTargets {
  const result: BuildTargets = {};
  const definition = inputs.string('galleryImageDefinitionId');
  if (definition) result.gallery = readGallery(inputs, definition, pipeline);
  const managed = inputs.string('managedImageId');
  if (managed) {
    const p = parseResourceId(managed);
    if (!p || typeOf(p).toLowerCase() !== 'microsoft.compute/images') {
      throw new InputError(
        'managedImageId',
        `'${managed}' is not the resource id of a managed image`,
        '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/images/<name>',
      );
    }
    const loc = inputs.string('managedImageLocation')?.toLowerCase().replace(/\s+/g, '');
    if (loc && !REGION.test(loc))
      throw new InputError(
        'managedImageLocation',
        `'${loc}' is not a region name`,
        'an Azure region name such as westeurope',
      );
    result.managedImage = { id: managed, location: loc };
  }
  if (inputs.bool('vhd')) {
    const uri = inputs.string('vhdUri', {
      pattern: /^https:\/\/[^/]+\/[a-z0-9-]{3,63}\/.+\.vhd$/i,
      expected: 'https://<account>.blob.core.windows.net/<container>/<name>.vhd',
    });
    result.vhd = { uri };
  }
  return result;
}

function readGallery(
  inputs: InputReader,
  definition: string,
  pipeline: PipelineInfo,
): GalleryTarget {
  const g = parseGalleryId(definition);
  if (!g?.definition) {
    throw new InputError(
      'galleryImageDefinitionId',
      `'${definition}' is not the resource id of a gallery image definition`,
      '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/galleries' +
        '/<gallery>/images/<definition>',
    );
  }
  const definitionId =
    `/subscriptions/${g.subscriptionId}/resourceGroups/${g.resourceGroup}/providers` +
    `/Microsoft.Compute/galleries/${g.gallery}/images/${g.definition}`;
  // The agent passes versionStrategy's default (next) when a step does not set it: a version pinned
  // in the id (as the existing Microsoft task's galleryImageId allowed) decides then.
  const chosen = inputs.choice(
    'versionStrategy',
    ['next', 'buildNumber', 'explicit'] as const,
    'next',
  );
  const strategy = g.version && chosen === 'next' ? 'explicit' : chosen;
  if (g.version && strategy === 'buildNumber')
    throw new InputError(
      'versionStrategy',
      `is buildNumber but galleryImageDefinitionId pins version ${g.version}`,
      'one of the two',
    );
  let version: GalleryVersionPlan;
  if (strategy === 'explicit') {
    const v = inputs.string('galleryImageVersion') ?? g.version;
    if (!v)
      throw new InputError(
        'galleryImageVersion',
        'a value is required when versionStrategy is explicit',
        'a version such as 1.0.0',
      );
    if (g.version && v !== g.version)
      throw new InputError(
        'galleryImageVersion',
        `'${v}' and the version galleryImageDefinitionId pins, '${g.version}', disagree`,
        'one of the two',
      );
    const problem = versionProblem(v);
    if (problem) throw new InputError('galleryImageVersion', problem);
    version = { kind: 'fixed', version: v, origin: 'explicit' };
  } else if (strategy === 'buildNumber') {
    try {
      version = {
        kind: 'fixed',
        version: versionFromBuildNumber(pipeline.buildNumber),
        origin: 'buildNumber',
      };
    } catch (err) {
      throw new InputError('versionStrategy', errorMessage(err).replace(/\.$/, ''));
    }
  } else {
    version = { kind: 'next', major: inputs.int('versionMajor', { min: 0, max: 2_147_483_647 }) };
  }
  let regions: RegionSpec[];
  try {
    regions = parseRegionSpecs(inputs.list('targetRegions'));
  } catch (err) {
    throw new InputError('targetRegions', errorMessage(err).replace(/\.$/, ''));
  }
  return {
    definitionId,
    version,
    regions,
    defaults: {
      replicaCount: inputs.int('replicaCount', { min: 1, max: 100, defaultValue: 1 }) as number,
      storageAccountType: inputs.choice(
        'storageAccountType',
        STORAGE_ACCOUNT_TYPES,
        'Standard_LRS',
      ),
    },
    excludeFromLatest: inputs.bool('excludeFromLatest'),
  };
}

const SUBNET_ID = new RegExp(
  '^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Network/virtualNetworks/[^/]+' +
    '/subnets/[^/]+$',
  'i',
);

function readSettings(inputs: InputReader): BuildSettings {
  const subnet = (name: string) => {
    const v = inputs.string(name);
    if (v && !SUBNET_ID.test(v)) {
      throw new InputError(
        name,
        `'${v}' is not the resource id of a subnet`,
        '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network' +
          '/virtualNetworks/<vnet>/subnets/<subnet>',
      );
    }
    return v;
  };
  const vmSize = (name: string) =>
    inputs.string(name, { pattern: VM_SIZE, expected: 'a VM size such as Standard_D4s_v5' });
  const subnetId = subnet('subnetId');
  const containerInstanceSubnetId = subnet('containerInstanceSubnetId');
  const proxyVmSize = vmSize('proxyVmSize');
  if ((containerInstanceSubnetId || proxyVmSize) && !subnetId) {
    throw new InputError(
      containerInstanceSubnetId ? 'containerInstanceSubnetId' : 'proxyVmSize',
      'applies to private builds only',
      'subnetId as well',
    );
  }
  if (containerInstanceSubnetId && proxyVmSize) {
    throw new InputError(
      'proxyVmSize',
      'no proxy VM is used when the build container has its own subnet (containerInstanceSubnetId)',
      'one of the two',
    );
  }
  const staging = inputs.string('stagingResourceGroup', {
    pattern: /^(\/subscriptions\/[^/]+\/resourceGroups\/)?[-\w._()]{1,90}$/i,
    expected: 'a resource group name or id',
  });
  const identities = inputs.list('buildVmIdentities');
  for (const id of identities) {
    const p = parseResourceId(id);
    if (!p || typeOf(p).toLowerCase() !== 'microsoft.managedidentity/userassignedidentities') {
      throw new InputError(
        'buildVmIdentities',
        `'${id}' is not the resource id of a user-assigned identity`,
        'resource ids of user-assigned identities, one per line',
      );
    }
  }
  const timeoutMs = inputs.duration('buildTimeout', {
    bareUnit: 'm',
    min: 60_000,
    max: 960 * 60_000,
    defaultValue: 240 * 60_000,
  }) as number;
  const onError = (name: string) => {
    const v = inputs.choice(name, ['default', 'cleanup', 'abort'] as const, 'default');
    return v === 'default' ? undefined : v;
  };
  const validationScript = inputs.string('validationScript');
  return {
    vmSize: vmSize('vmSize'),
    osDiskSizeGB: inputs.int('osDiskSizeGB', { min: 0, max: 4095 }),
    buildTimeoutMinutes: Math.ceil(timeoutMs / 60_000),
    subnetId,
    proxyVmSize,
    containerInstanceSubnetId,
    stagingResourceGroup: staging,
    managedResourceTags: readTags(inputs, 'managedResourceTags'),
    buildVmIdentities: identities,
    validation: {
      script: validationScript
        ? validationScript.split(/\r?\n/).filter((l) => l.trim())
        : undefined,
      sourceValidationOnly: inputs.bool('sourceValidationOnly'),
      continueOnFailure: inputs.bool('continueDistributeOnValidationFailure'),
    },
    optimizeBoot: inputs.bool('optimizeBoot'),
    onCustomizerError: onError('onCustomizerError'),
    onValidationError: onError('onValidationError'),
  };
}

/** `name=value` lines, or a JSON object of strings (the existing Microsoft task's form). */
function readTags(inputs: InputReader, name: string): Record<string, string> {
  const tags: Record<string, string> = {};
  const json = inputs.string(name);
  if (json?.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      throw new InputError(
        name,
        `is not valid JSON (${errorMessage(err)})`,
        'a JSON object such as {"costCenter": "42"}, or name=value lines',
      );
    }
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v !== 'string' || !k.trim())
        throw new InputError(
          name,
          `the tag '${k}' has no text value`,
          'a JSON object of strings, or name=value lines',
        );
      tags[k.trim()] = v;
    }
    return tags;
  }
  for (const entry of inputs.list(name)) {
    const m = /^([^=]+)=(.*)$/.exec(entry);
    if (!m || !m[1].trim())
      throw new InputError(name, `'${entry}' is not a tag`, 'name=value entries, one per line');
    tags[m[1].trim()] = m[2].trim();
  }
  return tags;
}
