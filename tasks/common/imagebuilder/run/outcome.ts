/**
 * What a build leaves for the pipeline: output variables (the existing Microsoft task's pir*
 * included), the run's markdown summary (source, customisers, time per phase, outputs) and the task
 * result.
 */
import { formatDuration } from '../../core/duration';
import { Attachment, TaskResultKind } from '../../core/outcome';
import type { ActionResult } from '../actions/action';
import { PhaseTime } from '../livelog/follow';
import { ResolvedSource } from '../inputs/sourceResolution';

export interface RunOutputInfo {
  name: string;
  artifactId?: string;
  artifactUri?: string;
  provisioningState?: string;
}

export interface BuildReport {
  templateName: string;
  runState: string;
  durationMs: number;
  source: ResolvedSource;
  customizers: string[];
  phases: PhaseTime[];
  runOutputs: RunOutputInfo[];
  /** Lines of the build log printed / fetched bytes, for the summary. */
  logLines?: number;
  reused?: string;
}

/** The output variables of a build this job ran or found made earlier (task.json's outputs). */
export type BuildOutputs = {
  /** The image template's name. */
  templateName: string;
  /** How the run ended: Succeeded, PartiallySucceeded, Failed or Canceled. */
  runState: string;
  /** From the task's start (or the wait's) to the build's end, in seconds. */
  durationSeconds: string;
  /** The run outputs' names, comma-separated. */
  runOutputNames: string;
  /** The gallery image version made, when one was (its resource id). */
  imageVersionId?: string;
  /** That version's name, e.g. 1.0.3. */
  imageVersionName?: string;
  /** The managed image made, when one was (its resource id). */
  managedImageId?: string;
  /** The VHD made, when one was (its blob URL). */
  vhdUri?: string;
  /** A marketplace source's publisher, as the Microsoft task's pirPublisher. */
  pirPublisher?: string;
  /** A marketplace source's offer (pirOffer). */
  pirOffer?: string;
  /** A marketplace source's SKU (pirSku). */
  pirSku?: string;
  /** A marketplace source's exact version (pirVersion). */
  pirVersion?: string;
};

/** What `build` and `wait` return (and `start`, when this job's build succeeded earlier). */
export interface BuildResult extends ActionResult<BuildOutputs> {
  /** `imageUri` and the pir* variables, set as the Microsoft task set them for later steps. */
  jobVariables: Record<string, string>;
  /** The run's summary page: source, customisers, time per phase, outputs. */
  summary: string;
  /** The whole build log, when this job followed the build. */
  attachments?: Attachment[];
}

/** What is known of a build before its run ends. */
export interface BuildBasis {
  /** The template's name. */
  name: string;
  /** The source, resolved (or as `wait` reads it from the template). */
  source: ResolvedSource;
  /** The customisers, described. */
  customizers: string[];
  /** When the action started (Date.now()): the duration is counted from it. */
  started: number;
}

/** The report of a build whose run reached `runState`; what the run told in `extra`. */
export function buildReport(
  b: BuildBasis,
  runState: string,
  extra: Partial<BuildReport> = {},
): BuildReport {
  return {
    templateName: b.name,
    runState,
    durationMs: Date.now() - b.started,
    source: b.source,
    customizers: b.customizers,
    phases: [],
    runOutputs: [],
    ...extra,
  };
}

/** Run outputs told apart by what they point at, not by name: a template file names its own. */
const GALLERY_VERSION = /\/galleries\/[^/]+\/images\/[^/]+\/versions\/[^/]+$/i;
const MANAGED_IMAGE = /\/providers\/Microsoft\.Compute\/images\/[^/]+$/i;

function buildOutputs(r: BuildReport): BuildOutputs {
  const succeeded = r.runOutputs.filter(
    (o) => (o.provisioningState ?? 'Succeeded') === 'Succeeded',
  );
  const version = succeeded.find((o) => GALLERY_VERSION.test(o.artifactId ?? ''))?.artifactId;
  const outputs: BuildOutputs = {
    templateName: r.templateName,
    runState: r.runState,
    durationSeconds: String(Math.round(r.durationMs / 1000)),
    runOutputNames: r.runOutputs.map((o) => o.name).join(','),
  };
  if (version) {
    outputs.imageVersionId = version;
    outputs.imageVersionName = version.split('/').pop() ?? '';
  }
  const managed = succeeded.find((o) => MANAGED_IMAGE.test(o.artifactId ?? ''))?.artifactId;
  if (managed) outputs.managedImageId = managed;
  const vhd = succeeded.find((o) => o.artifactUri && !o.artifactId)?.artifactUri;
  if (vhd) outputs.vhdUri = vhd;
  if (r.source.pir) {
    outputs.pirPublisher = r.source.pir.publisher;
    outputs.pirOffer = r.source.pir.offer;
    outputs.pirSku = r.source.pir.sku;
    outputs.pirVersion = r.source.pir.version;
  }
  return outputs;
}

function buildSummary(r: BuildReport): string {
  const rows = (pairs: [string, string][]) => pairs.map(([k, v]) => `| ${k} | ${v} |`).join('\n');
  const lines = [
    `### Image build ${r.templateName}: ${r.runState}${r.reused ? ' (reused)' : ''}`,
    '',
    `**Source:** ${r.source.description} ` +
      `(${r.source.osType}` +
      `${r.source.hyperVGeneration ? `, Hyper-V ${r.source.hyperVGeneration}` : ''})`,
    '',
  ];
  if (r.reused) lines.push(r.reused, '');
  if (r.customizers.length)
    lines.push('**Customisers:**', '', ...r.customizers.map((c, i) => `${i + 1}. ${c}`), '');
  if (r.phases.length) {
    lines.push(
      '| Phase | Time |',
      '| --- | --- |',
      rows(r.phases.map((p) => [p.phase, formatDuration(p.ms)])),
      `| **Total** | **${formatDuration(r.durationMs)}** |`,
      '',
    );
  }
  if (r.runOutputs.length) {
    lines.push(
      '| Output | State | Artifact |',
      '| --- | --- | --- |',
      r.runOutputs
        .map(
          (o) =>
            `| ${o.name} | ${o.provisioningState ?? ''} | ${o.artifactId ?? o.artifactUri ?? ''} |`,
        )
        .join('\n'),
      '',
    );
  }
  if (r.logLines !== undefined) lines.push(`Build log: ${r.logLines} lines.`);
  return lines.join('\n');
}

function resultOf(runState: string): TaskResultKind {
  switch (runState) {
    case 'Succeeded':
      return 'Succeeded';
    case 'PartiallySucceeded':
      return 'SucceededWithIssues';
    case 'Canceled':
      return 'Cancelled';
    default:
      return 'Failed';
  }
}

export function outcomeOf(
  r: BuildReport,
  message: string,
  attachments?: Attachment[],
): BuildResult {
  const outputs = buildOutputs(r);
  return {
    result: resultOf(r.runState),
    message,
    outputs,
    jobVariables: legacyJobVariables(outputs),
    summary: buildSummary(r),
    attachments,
  };
}

/**
 * The plain job variables the existing Microsoft task set, so its later steps' `$(imageUri)` and
 * `$(pirPublisher)` keep working: imageUri is the distributed image (the gallery version, else the
 * managed image, else the VHD).
 */
function legacyJobVariables(outputs: BuildOutputs): Record<string, string> {
  const vars: Record<string, string> = {};
  const imageUri = outputs.imageVersionId ?? outputs.managedImageId ?? outputs.vhdUri;
  if (imageUri) vars.imageUri = imageUri;
  for (const name of ['pirPublisher', 'pirOffer', 'pirSku', 'pirVersion'] as const) {
    const value = outputs[name];
    if (value) vars[name] = value;
  }
  return vars;
}
