/**
 * Which version name a publish uses and what it does with it: create it, find this job's own result
 * (a rerun), add to the same image published earlier, replace other content (only with overwrite),
 * or refuse. Pure, so every branch is unit-tested.
 */
import { PipelineInfo } from '../core/pipelineInfo';
import { VersionPlan } from './params';
import { madeByThisJob, sameSource, TAGS } from '../core/provenance';
import { compareVersions, nextVersion } from './versioning';

export interface KnownVersion {
  name: string;
  tags?: Record<string, string>;
  /** Source id or VHD URI as Compute stores it. */
  source?: string;
}

export type VersionDecision =
  /** No version of that name: create it. */
  | { mode: 'create'; name: string }
  /** This job published it from this source already (a rerun). */
  | { mode: 'own'; name: string; existing: KnownVersion }
  /** The same source was published under this name by another run or by hand. */
  | { mode: 'sameSource'; name: string; existing: KnownVersion }
  /** Other content, and overwrite was asked for: delete and publish again. */
  | { mode: 'replace'; name: string; existing: KnownVersion };

export class VersionConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VersionConflictError';
  }
}

export function decideVersion(o: {
  plan: VersionPlan;
  versions: KnownVersion[];
  source: string;
  /** For messages: "managed image 'img-1' (rg)". */
  describeSource: (ref: string | undefined) => string;
  pipeline: PipelineInfo;
  overwrite: boolean;
  definition: string;
}): VersionDecision {
  const ownResult = o.versions
    .filter((v) => madeByThisJob(v.tags, o.pipeline) && sameSource(v.source, o.source))
    .sort((a, b) => compareVersions(b.name, a.name))[0];
  const name =
    o.plan.kind === 'fixed'
      ? o.plan.version
      : (ownResult?.name ??
        nextVersion(
          o.versions.map((v) => v.name),
          o.plan.bump,
        ));
  const existing = o.versions.find((v) => v.name === name);
  if (!existing) return { mode: 'create', name };
  if (sameSource(existing.source, o.source)) {
    return madeByThisJob(existing.tags, o.pipeline)
      ? { mode: 'own', name, existing }
      : { mode: 'sameSource', name, existing };
  }
  if (o.overwrite) return { mode: 'replace', name, existing };
  const by = existing.tags?.[TAGS.runUrl]
    ? ` by ` +
      `${existing.tags[TAGS.runUrl]}` +
      `${existing.tags[TAGS.job] ? ` (job ${existing.tags[TAGS.job]})` : ''}`
    : '';
  throw new VersionConflictError(
    `Image version ${name} of '${o.definition}' already exists with other content: it was ` +
      `published from ${o.describeSource(existing.source)}${by}, ` +
      (`not from ${o.describeSource(o.source)}. Nothing was changed. Publish another ` +
        `version (e.g. versionStrategy: nextPatch), `) +
      'or set overwrite: true to delete that version and publish this source under its name.',
  );
}
