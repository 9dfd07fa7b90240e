/**
 * The whole image template in the REST shape of imagebuilder 2024-02-01 (`{location, tags,
 * identity, properties}`): what is printed, hashed into the template's name and sent. Composed
 * once, from the outline (outline.ts), Image Builder's identity, the steps and the tags of the
 * uploads. `toSdkTemplate` flattens it for @azure/arm-imagebuilder 5, whose models carry
 * `properties` one level up.
 */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import { PipelineInfo } from '../../core/pipelineInfo';
import { Customizer } from './customizers';
import { templateName } from './naming';
import { TemplateOutline } from './outline';

export interface TemplateDocument {
  location: string;
  tags: Record<string, string>;
  identity: { type: 'UserAssigned'; userAssignedIdentities: Record<string, Record<string, never>> };
  properties: TemplateOutline['properties'] & { customize: Customizer[] };
}

/** Tag on templates and artifacts: the template name (set once the name is known). */
export const TEMPLATE_TAG = 'gip.template';
/** Tag on templates a cancelled run could not remove: `action: cleanup` looks for it. */
export const CLEANUP_TAG = 'gip.cleanup';

export interface ComposeOptions {
  /** Source, targets and build settings (outlineTemplate). */
  outline: TemplateOutline;
  /** Image Builder's user-assigned identity (the pre-flight chose it). */
  identityId: string;
  /** The customisers, in order: the build artifacts', the inputs', the file's. */
  customize: Customizer[];
  /** A template file's in-VM validators, their local files replaced by blob URLs. */
  inVMValidations?: Record<string, unknown>[];
  /** Tags that name the uploads, so that they are found and deleted when the build ends. */
  uploadTags: Record<string, string>;
  /** The pipeline, run, stage and job: part of the name. */
  pipeline: PipelineInfo;
}

/** The template, and its name: derived from the job and the content (naming.ts). */
export function composeTemplate(o: ComposeOptions): { name: string; doc: TemplateDocument } {
  const { outline } = o;
  // The customisers right after the source, where a reader looks for them.
  const { source, ...settings } = outline.properties;
  const doc: TemplateDocument = {
    location: outline.location,
    tags: { ...outline.tags, ...o.uploadTags },
    identity: { type: 'UserAssigned', userAssignedIdentities: { [o.identityId]: {} } },
    properties: {
      source,
      customize: o.customize,
      ...settings,
      ...(o.inVMValidations?.length
        ? { validate: { ...(settings.validate as object), inVMValidations: o.inVMValidations } }
        : {}),
    },
  };
  const name = templateName(o.pipeline, doc);
  return { name, doc: withTemplateName(doc, name) };
}

/** Adds the template's name to its tags and every distributor's artifact tags. */
function withTemplateName(doc: TemplateDocument, name: string): TemplateDocument {
  const copy = JSON.parse(JSON.stringify(doc)) as TemplateDocument;
  copy.tags[TEMPLATE_TAG] = name;
  for (const d of copy.properties.distribute)
    d.artifactTags = {
      ...(d.artifactTags as Record<string, string> | undefined),
      [TEMPLATE_TAG]: name,
    };
  return copy;
}

/** The SDK's flattened model of the same document. */
export function toSdkTemplate(doc: TemplateDocument): ImageTemplate {
  return {
    location: doc.location,
    tags: doc.tags,
    identity: doc.identity,
    ...doc.properties,
  } as unknown as ImageTemplate;
}
