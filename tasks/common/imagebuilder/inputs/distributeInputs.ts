/**
 * The distribution inputs: a gallery image version (definition, version strategy, target regions
 * and replicas, exclude from latest, end of life), a managed image, a VHD; several at once.
 */
import { parseGalleryId, parseResourceId, typeOf } from '../../azure/resourceIds';
import { errorMessage, InputError } from '../../core/errors';
import { InputReader } from '../../core/inputReader';
import { PipelineInfo, versionNumberOf } from '../../core/pipelineInfo';
import { parseRegionSpecs, RegionSpec, STORAGE_ACCOUNT_TYPES } from '../../gallery/regions';
import { versionFromBuildNumber, versionProblem } from '../../gallery/versioning';
import type { BuildTargets, GalleryTarget, GalleryVersionPlan } from './params';

/** An Azure region's name, as the location inputs are checked. */
export const REGION = /^[a-z][a-z0-9]*$/;

export function readDistribute(inputs: InputReader, pipeline: PipelineInfo): BuildTargets {
  const result: BuildTargets = {};
  const definition = inputs.string('galleryImageDefinitionId');
  if (definition) result.gallery = readGallery(inputs, definition, pipeline);
  const managed = inputs.string('managedImageId');
  if (managed) {
    requireManagedImageId('managedImageId', managed);
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
        version: versionFromBuildNumber(versionNumberOf(pipeline)),
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

/** Refuses, naming `input`, a value that is not the resource id of a managed image. */
export function requireManagedImageId(input: string, value: string): void {
  const p = parseResourceId(value);
  if (!p || typeOf(p).toLowerCase() !== 'microsoft.compute/images') {
    throw new InputError(
      input,
      `'${value}' is not the resource id of a managed image`,
      '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/images/<name>',
    );
  }
}
