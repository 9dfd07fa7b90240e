/**
 * The template's name: derived from the pipeline, the run, the stage and job names (not the
 * attempt) and the template's content. A retried job computes the same name and attaches to the
 * build already running; a changed input gives a new name, so AIB's "no update in place" never
 * bites.
 */
import { createHash } from 'crypto';
import { PipelineInfo } from '../../core/pipelineInfo';
import type { TemplateDocument } from './compose';

/** AIB template names: letters, digits, '-', '_', '.'; up to 64 characters. */
const MAX = 64;

export function templateName(pipeline: PipelineInfo, doc: TemplateDocument): string {
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        pipeline.collectionUri,
        pipeline.teamProject,
        pipeline.definitionId,
        pipeline.stageName,
        pipeline.jobName,
        canonical(doc),
      ]),
    )
    .digest('hex')
    .slice(0, 10);
  const run = slug(pipeline.buildId || 'local', 12);
  const prefix = slug(pipeline.definitionName || 'build', MAX - run.length - hash.length - 6);
  return `gip-${prefix}-${run}-${hash}`.replace(/-+/g, '-').slice(0, MAX);
}

function slug(text: string, max: number): string {
  return (
    text
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, Math.max(1, max))
      .replace(/[-.]+$/, '') || 'x'
  );
}

/**
 * JSON with object keys sorted, so the hash does not depend on the order properties were set in.
 */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
