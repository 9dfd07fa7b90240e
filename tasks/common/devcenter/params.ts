/**
 * AttachGalleryToDevCenter's parameters, read from the task inputs and checked before anything is
 * done in Azure: every error names the input, says what was wrong and what would be right.
 */
import {
  GalleryRef,
  parseGalleryId,
  parseResourceId,
  RESOURCE_GROUP_NAME,
  RESOURCE_GROUP_RULE,
  typeOf,
} from '../azure/resourceIds';
import { InputError } from '../core/errors';
import { InputReader } from '../core/inputReader';

export const DEVBOX_ACTIONS = ['attach', 'check'] as const;
export type DevBoxAction = (typeof DEVBOX_ACTIONS)[number];

export const ON_REQUIREMENT_FAILURE = ['fail', 'warn'] as const;
export type OnRequirementFailure = (typeof ON_REQUIREMENT_FAILURE)[number];

export const HIBERNATE_SUPPORT = ['Disabled', 'Enabled'] as const;
export type HibernateSupport = (typeof HIBERNATE_SUPPORT)[number];

/** Dev Box's name rule for dev box definitions and attached galleries (the 2024-02-01 spec). */
export const DEVBOX_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-_.]{2,62}$/;
const DEVCENTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{2,25}$/;
const VERSION_NAME = /^\d{1,10}\.\d{1,10}\.\d{1,10}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DevCenterRef {
  /** Undefined: the connection's subscription. */
  subscriptionId?: string;
  resourceGroup: string;
  name: string;
}

export interface DefinitionParams {
  /** The dev box definition's name. */
  name: string;
  /** Sku name, e.g. general_i_8c32gb256ssd_v2 (checked against the skus list in Azure). */
  sku: string;
  /** e.g. ssd_256gb. */
  osStorageType: string;
  hibernateSupport: HibernateSupport;
}

export interface AttachParams {
  action: DevBoxAction;
  devCenter: DevCenterRef;
  /** The Compute gallery (its subscription is its own). */
  gallery: GalleryRef;
  /** The gallery's name in the dev center; undefined: the gallery's own name. */
  galleryName?: string;
  /** An image definition name of the gallery; undefined: every definition is checked. */
  image?: string;
  /** A version of that image; undefined: its latest. */
  imageVersion?: string;
  /** A user-assigned identity: name (in the dev center's resource group) or resource id. */
  identity?: string;
  /** Object id of the Windows 365 service principal; undefined: looked up in Microsoft Graph. */
  windows365PrincipalId?: string;
  definition?: DefinitionParams;
  onRequirementFailure: OnRequirementFailure;
  pollIntervalMs: number;
  validationTimeoutMs: number;
}

/** The resource providers the task's entry requires registered before anything else. */
export const ATTACH_PROVIDERS = ['Microsoft.DevCenter', 'Microsoft.Compute'];

/** Reads and checks every input; throws InputError on the first problem. */
export function readAttachParams(inputs: InputReader): AttachParams {
  const gallery = readGallery(inputs);
  const galleryName = inputs.string('galleryName', {
    pattern: DEVBOX_NAME,
    expected: NAME_RULE,
  });
  if (!galleryName && !DEVBOX_NAME.test(gallery.gallery)) {
    throw new InputError(
      'galleryName',
      `the gallery's own name '${gallery.gallery}' is not a name Dev Box accepts for an ` +
        'attached gallery',
      `a name to attach it under: ${NAME_RULE}`,
    );
  }
  const image = readImage(inputs, gallery);
  return {
    action: inputs.choice('action', DEVBOX_ACTIONS, 'attach'),
    devCenter: readDevCenter(inputs),
    gallery,
    galleryName,
    image,
    imageVersion: readImageVersion(inputs, image),
    identity: readIdentity(inputs),
    windows365PrincipalId: inputs.string('windows365PrincipalId', {
      pattern: GUID,
      expected:
        'the object id (a GUID) of the Windows 365 service principal: az ad sp show --id ' +
        '0af06dc6-e4b5-4f28-818e-e78e62d137a5 --query id -o tsv',
    }),
    definition: readDefinition(inputs),
    onRequirementFailure: inputs.choice('onRequirementFailure', ON_REQUIREMENT_FAILURE, 'fail'),
    pollIntervalMs: inputs.duration('pollInterval', {
      bareUnit: 's',
      min: 500,
      max: 600_000,
      defaultValue: 30_000,
    }) as number,
    validationTimeoutMs: inputs.duration('validationTimeout', {
      bareUnit: 'm',
      min: 60_000,
      max: 24 * 3_600_000,
      defaultValue: 3_600_000,
    }) as number,
  };
}

const NAME_RULE =
  '3 to 63 letters, digits, dashes, underscores or periods, starting with a letter or digit';

function readDevCenter(inputs: InputReader): DevCenterRef {
  const value = inputs.string('devCenter', {
    required: true,
    expected: 'the dev center name (with resourceGroup) or its resource id',
  });
  if (value.startsWith('/')) {
    const p = parseResourceId(value);
    if (!p || !/^microsoft\.devcenter\/devcenters$/i.test(typeOf(p))) {
      throw new InputError(
        'devCenter',
        `'${value}' is not the resource id of a dev center`,
        '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.DevCenter/devcenters' +
          '/<name>',
      );
    }
    return {
      subscriptionId: p.subscriptionId,
      resourceGroup: p.resourceGroup,
      name: p.levels[0][1],
    };
  }
  if (!DEVCENTER_NAME.test(value)) {
    throw new InputError(
      'devCenter',
      `'${value}' is not a dev center name`,
      '3 to 26 letters, digits or dashes, or the dev center resource id',
    );
  }
  const resourceGroup = inputs.string('resourceGroup', {
    required: true,
    pattern: RESOURCE_GROUP_NAME,
    expected:
      `the dev center's resource group name, ${RESOURCE_GROUP_RULE} (or give devCenter as a ` +
      'resource id)',
  });
  return { resourceGroup, name: value };
}

function readGallery(inputs: InputReader): GalleryRef {
  const value = inputs.string('gallery', {
    required: true,
    expected: 'the resource id of an Azure Compute Gallery',
  });
  const g = parseGalleryId(value);
  if (!g || g.definition) {
    throw new InputError(
      'gallery',
      `'${value}' is not the resource id of an Azure Compute Gallery`,
      '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/galleries/<name>',
    );
  }
  return { subscriptionId: g.subscriptionId, resourceGroup: g.resourceGroup, gallery: g.gallery };
}

/** A definition name, or a definition (or version) id in the gallery. */
function readImage(inputs: InputReader, gallery: GalleryRef): string | undefined {
  const value = inputs.string('image');
  if (!value || !value.startsWith('/')) return value;
  const g = parseGalleryId(value);
  if (!g?.definition) {
    throw new InputError(
      'image',
      `'${value}' is not an image definition name or id`,
      'a definition name of the gallery, or its resource id',
    );
  }
  const same =
    g.subscriptionId.toLowerCase() === gallery.subscriptionId.toLowerCase() &&
    g.resourceGroup.toLowerCase() === gallery.resourceGroup.toLowerCase() &&
    g.gallery.toLowerCase() === gallery.gallery.toLowerCase();
  if (!same) {
    throw new InputError(
      'image',
      `'${value}' is an image of gallery '${g.gallery}', not of the gallery input's ` +
        `'${gallery.gallery}'`,
      'an image definition of the gallery given in gallery',
    );
  }
  if (g.version) {
    throw new InputError(
      'image',
      `'${value}' is an image version`,
      'the image definition (give the version in imageVersion)',
    );
  }
  return g.definition;
}

function readImageVersion(inputs: InputReader, image: string | undefined): string | undefined {
  const version = inputs.string('imageVersion', {
    pattern: VERSION_NAME,
    expected: 'a gallery image version such as 1.0.0 (or nothing, for the latest)',
  });
  if (version && !image) {
    throw new InputError('imageVersion', 'a version needs an image', 'the image input too');
  }
  return version;
}

function readIdentity(inputs: InputReader): string | undefined {
  const value = inputs.string('identity', {
    pattern: /^(\/.*|[A-Za-z0-9][A-Za-z0-9_-]{2,127})$/,
    expected:
      'a user-assigned identity name (3 to 128 letters, digits, hyphens or underscores, in the ' +
      'dev center resource group) or its resource id',
  });
  if (!value?.startsWith('/')) return value;
  const p = parseResourceId(value);
  if (!p || !/^microsoft\.managedidentity\/userassignedidentities$/i.test(typeOf(p))) {
    throw new InputError(
      'identity',
      `'${value}' is not the resource id of a user-assigned identity`,
      'a user-assigned identity name (in the dev center resource group) or its resource id',
    );
  }
  return value;
}

function readDefinition(inputs: InputReader): DefinitionParams | undefined {
  const name = inputs.string('devBoxDefinition', {
    pattern: DEVBOX_NAME,
    expected: `a dev box definition name: ${NAME_RULE}`,
  });
  if (!name) return undefined;
  return {
    name,
    sku: inputs.string('sku', {
      required: true,
      pattern: /^[A-Za-z0-9_]+$/,
      expected: 'a Dev Box sku name such as general_i_8c32gb256ssd_v2',
    }),
    osStorageType: inputs.string('osStorageType', {
      required: true,
      pattern: /^ssd_\d+gb$/,
      expected: 'an OS storage type such as ssd_256gb',
    }),
    hibernateSupport: inputs.choice('hibernateSupport', HIBERNATE_SUPPORT, 'Disabled'),
  };
}
