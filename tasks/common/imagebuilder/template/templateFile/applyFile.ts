/**
 * Puts a loaded template file (loadTemplate.ts) or customisers file into the template the task
 * sends.
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
import { Logger } from '../../../core/logger';
import { parseGalleryVersionRef, parseManagedImageRef, SourceRef } from '../../inputs/sourceRef';
import type { TemplateDocument } from '../compose';
import { ArmValue } from './armExpressions';
import { LoadedTemplate } from './loadTemplate';

type Obj = { [key: string]: ArmValue };

/** The file's `properties.source` as the SourceRef the input path resolves. */
export function sourceRefOf(source: Obj): SourceRef {
  const at = 'templateFile';
  try {
    switch (source.type) {
      case 'PlatformImage':
        return {
          kind: 'marketplace',
          publisher: String(source.publisher),
          offer: String(source.offer),
          sku: String(source.sku),
          version: String(source.version ?? 'latest'),
          ...(isObj(source.planInfo)
            ? {
                plan: {
                  name: String(source.planInfo.planName),
                  product: String(source.planInfo.planProduct),
                  publisher: String(source.planInfo.planPublisher),
                },
              }
            : {}),
        };
      case 'SharedImageVersion':
        return parseGalleryVersionRef(String(source.imageVersionId));
      case 'ManagedImage':
        return parseManagedImageRef(String(source.imageId));
    }
  } catch (err) {
    throw new InputError(at, `properties.source: ${(err as Error).message.replace(/\.$/, '')}`);
  }
  throw new InputError(
    at,
    `properties.source.type: '${String(source.type)}' is not PlatformImage, ` +
      `SharedImageVersion or ManagedImage`,
  );
}

/**
 * The template composed from the inputs, with the file's properties over it (see the precedence
 * above).
 */
export function applyTemplateFile(
  base: TemplateDocument,
  loaded: LoadedTemplate,
  log: Logger,
): TemplateDocument {
  for (const w of loaded.warnings) log.warn(`templateFile: ${w}`);
  if (loaded.location && loaded.location.toLowerCase().replace(/\s+/g, '') !== base.location) {
    log.warn(
      `templateFile: its location '${loaded.location}' is replaced by the location input ` +
        `'${base.location}'.`,
    );
  }
  const file = loaded.properties;
  const properties: TemplateDocument['properties'] = {
    ...base.properties,
    ...(file as Record<string, unknown>),
    source: base.properties.source,
  } as TemplateDocument['properties'];
  if (isObj(file.vmProfile) && isObj(base.properties.vmProfile as ArmValue))
    properties.vmProfile = { ...(base.properties.vmProfile as Obj), ...file.vmProfile };
  return { ...base, tags: { ...(loaded.tags ?? {}), ...base.tags }, properties };
}

function isObj(v: ArmValue | undefined): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
