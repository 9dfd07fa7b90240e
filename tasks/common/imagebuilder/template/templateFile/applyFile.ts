/**
 * Puts a loaded template file (loadTemplate.ts) into the outline of the template the task sends
 * (its customisers go in as steps, once their local files are uploaded: ../compose.ts).
 *
 * Precedence, decided once: the file says what to build (source, customize, distribute, and every
 * other property it sets wins); the inputs fill what it leaves out (build settings such as vmSize,
 * buildTimeout, subnet, staging group, validation, error handling) and always give where and as
 * whom it runs: `location`, `resourceGroup` and `managedIdentity` (a different location or identity
 * in the file is replaced, with a warning). The task's own tags (provenance, template name) are
 * added to the file's. The source is resolved as an input source would be (marketplace `latest`
 * pinned, gallery `latest` resolved), so the log and the outputs say exactly what was used.
 */
import { InputError } from '../../../core/errors';
import { parseGalleryVersionRef, parseManagedImageRef, SourceRef } from '../../inputs/sourceRef';
import type { TemplateOutline } from '../outline';
import { ArmValue } from './armExpressions';
import { LoadedTemplate } from './loadTemplate';
import { textOf } from '../valueText';

type Obj = { [key: string]: ArmValue };

/** The file's `properties.source` as the SourceRef the input path resolves. */
export function sourceRefOf(source: Obj): SourceRef {
  const at = 'templateFile';
  try {
    switch (source.type) {
      case 'PlatformImage':
        return {
          kind: 'marketplace',
          publisher: textOf(source.publisher),
          offer: textOf(source.offer),
          sku: textOf(source.sku),
          version: textOf(source.version ?? 'latest'),
          ...(isObj(source.planInfo)
            ? {
                plan: {
                  name: textOf(source.planInfo.planName),
                  product: textOf(source.planInfo.planProduct),
                  publisher: textOf(source.planInfo.planPublisher),
                },
              }
            : {}),
        };
      case 'SharedImageVersion':
        return parseGalleryVersionRef(textOf(source.imageVersionId));
      case 'ManagedImage':
        return parseManagedImageRef(textOf(source.imageId));
    }
  } catch (err) {
    throw new InputError(at, `properties.source: ${(err as Error).message.replace(/\.$/, '')}`);
  }
  throw new InputError(
    at,
    `properties.source.type: '${textOf(source.type)}' is not PlatformImage, ` +
      `SharedImageVersion or ManagedImage`,
  );
}

/**
 * The outline composed from the inputs, with the file's properties over it (see the precedence
 * above). The file's customisers are not in it: they are steps, composed once their local files
 * are uploaded.
 */
export function applyTemplateFile(base: TemplateOutline, loaded: LoadedTemplate): TemplateOutline {
  const file = Object.fromEntries(
    Object.entries(loaded.properties).filter(([key]) => key !== 'customize'),
  );
  const properties: TemplateOutline['properties'] = {
    ...base.properties,
    ...file,
    source: base.properties.source,
  };
  if (isObj(file.vmProfile) && isObj(base.properties.vmProfile as ArmValue))
    properties.vmProfile = { ...(base.properties.vmProfile as Obj), ...file.vmProfile };
  return { ...base, tags: { ...(loaded.tags ?? {}), ...base.tags }, properties };
}

/** The file's warnings (loadTemplate.ts), and its location when the location input replaces it. */
export function templateFileWarnings(loaded: LoadedTemplate, location: string): string[] {
  const warnings = loaded.warnings.map((w) => `templateFile: ${w}`);
  if (loaded.location && loaded.location.toLowerCase().replace(/\s+/g, '') !== location) {
    warnings.push(
      `templateFile: its location '${loaded.location}' is replaced by the location input ` +
        `'${location}'.`,
    );
  }
  return warnings;
}

function isObj(v: ArmValue | undefined): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
