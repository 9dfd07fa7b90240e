/**
 * Provenance tags on a published version: which pipeline run and job made it, from which source. A
 * version that carries this run's tags (same run, same job) and the same source is this run's own
 * result, so a rerun of the job finds it and changes nothing.
 */
import { isReleaseHost, PipelineInfo } from './pipelineInfo';

export const TAGS = {
  pipeline: 'gip.pipeline',
  definition: 'gip.definition',
  run: 'gip.run',
  runUrl: 'gip.runUrl',
  job: 'gip.job',
  commit: 'gip.commit',
  repository: 'gip.repository',
  source: 'gip.source',
} as const;

/** Azure's limit on a tag value. */
const MAX_TAG_VALUE = 256;

/** The run as one stable string; the attempt is left out so a retried job is the same job. */
export function runIdentity(p: PipelineInfo): string {
  return p.runUrl;
}

/**
 * The pipeline definition, whatever its name (two pipelines may share one; a renamed one keeps
 * its id): its page in Azure DevOps. Empty when the agent gives no definition id.
 */
export function definitionIdentity(p: PipelineInfo): string {
  if (!p.definitionId) return '';
  const page = isReleaseHost(p.hostType) ? '_release' : '_build';
  const project = encodeURIComponent(p.teamProject);
  return `${p.collectionUri.replace(/\/?$/, '/')}${project}/${page}?definitionId=${p.definitionId}`;
}

function jobIdentity(p: PipelineInfo): string {
  return [p.stageName, p.jobName].filter(Boolean).join('/');
}

/**
 * Provenance tags; values longer than Azure allows are left out rather than cut (they are
 * compared).
 */
export function provenanceTags(p: PipelineInfo, source: string): Record<string, string> {
  const tags: Record<string, string> = {
    [TAGS.pipeline]: p.definitionName,
    [TAGS.definition]: definitionIdentity(p),
    [TAGS.run]: p.buildNumber ? `${p.buildNumber} (${p.buildId})` : p.buildId,
    [TAGS.runUrl]: runIdentity(p),
    [TAGS.job]: jobIdentity(p),
    [TAGS.commit]: p.sourceVersion,
    [TAGS.repository]: p.repositoryUri || p.repositoryName,
    [TAGS.source]: withoutQuery(source),
  };
  for (const [k, v] of Object.entries(tags)) if (!v || v.length > MAX_TAG_VALUE) delete tags[k];
  return tags;
}

/** Whether a version's tags say it was made by this run's job. */
export function madeByThisJob(tags: Record<string, string> | undefined, p: PipelineInfo): boolean {
  if (!tags) return false;
  return tags[TAGS.runUrl] === runIdentity(p) && tags[TAGS.job] === jobIdentity(p);
}

/** The source of a version as stored by Compute: image/version id, VM id, or VHD URI. */
export function sourceOfVersion(
  storageProfile:
    | {
        source?: { id?: string; virtualMachineId?: string };
        osDiskImage?: { source?: { uri?: string; id?: string } };
      }
    | undefined,
): string | undefined {
  return (
    storageProfile?.source?.virtualMachineId ||
    storageProfile?.source?.id ||
    storageProfile?.osDiskImage?.source?.uri ||
    storageProfile?.osDiskImage?.source?.id ||
    undefined
  );
}

/**
 * Resource ids compare case-insensitively. Blob URIs compare without their query (a SAS token
 * changes, the blob does not) and case-sensitively in the path, as blob names are.
 */
export function sameSource(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  if (/^https?:/i.test(a) || /^https?:/i.test(b)) {
    const ua = safeUrl(withoutQuery(a));
    const ub = safeUrl(withoutQuery(b));
    return (
      !!ua &&
      !!ub &&
      ua.host.toLowerCase() === ub.host.toLowerCase() &&
      decodeURIComponent(ua.pathname) === decodeURIComponent(ub.pathname)
    );
  }
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

function withoutQuery(s: string): string {
  const q = s.indexOf('?');
  return q >= 0 ? s.slice(0, q) : s;
}
