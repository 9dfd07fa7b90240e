/**
 * Follows a running build until it ends: the run's phases (`runSubState`) as they change, with the
 * time since the run started, progress percent, and the Packer log streamed live (liveLog.ts).
 *
 * Each poll costs ARM reads (the template's status, the container's log), and ARM throttles reads
 * per subscription, so a poll reads only what is likely to have changed, never skipping the same
 * read twice in a row: while the log flows (the last read brought several lines) the build is
 * visibly busy, and its status is read every other poll; while the log is quiet or trickles (a
 * restart, Windows Update, replication) the status is read every poll (the run may be changing
 * phase or ending) and the log less often the less it brought: every other poll after two new
 * lines, every third after one, and after none every third then every fifth — several polls' lines
 * in one read, which costs less than one each time (a read carries a few lines already printed, to
 * find where the new ones start) — and at once when the phase changes. No log is read while the
 * run is queued (no build container yet). At the end the container is read once more, then
 * customization.log from where the printing got to.
 */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import { describeArmError } from '../../azure/armErrors';
import { AzureContext } from '../../azure/clients';
import { formatDuration } from '../../core/duration';
import { Logger } from '../../core/logger';
import { poll } from '../../core/poll';
import { BuildClients } from '../clients';
import { LiveLog } from './liveLog';
import { LogPrinter } from './logPrinter';
import { BuildContainer, stagingLogs } from './logSources';

export const TERMINAL = ['Succeeded', 'PartiallySucceeded', 'Failed', 'Canceled'];

export interface PhaseTime {
  phase: string;
  ms: number;
}

export interface FollowResult {
  template: ImageTemplate;
  phases: PhaseTime[];
  printer: LogPrinter;
  stream: LiveLog;
}

/** New lines in one read from which the log counts as flowing (fewer: it trickles). */
const FLOWING_LINES = 3;
/** Most polls a quiet log is left unread (at the default 30 s poll, two minutes). */
const MAX_QUIET_SKIP = 4;

/** Polls to leave the log unread after a read that brought `fresh` new lines, `skipped` before. */
function quietSkip(fresh: number, skipped: number): number {
  if (fresh >= FLOWING_LINES) return 0;
  if (fresh === 2) return 1;
  if (fresh === 1) return 2;
  return Math.min(MAX_QUIET_SKIP, Math.max(2, skipped * 2));
}

/** Where each phase starts in the progress bar. */
const PHASE_PERCENT: Record<string, number> = {
  Queued: 2,
  Building: 5,
  Customizing: 20,
  Optimizing: 70,
  Validating: 75,
  Distributing: 80,
};

export interface FollowOptions {
  azure: AzureContext;
  clients: BuildClients;
  resourceGroup: string;
  name: string;
  customizers: string[];
  pollIntervalMs: number;
  log: Logger;
  signal: AbortSignal;
}

export async function followBuild(o: FollowOptions): Promise<FollowResult> {
  const { clients, log, signal } = o;
  const printer = new LogPrinter(log, o.customizers);
  const stream = new LiveLog((line) => printer.line(line));
  const phases: PhaseTime[] = [];
  let phaseStarted = Date.now();
  let container: BuildContainer | undefined;
  let containerDone = false;
  /** Why the container's log could not be read, for the warning at the end. */
  let containerError: string | undefined;
  let t: ImageTemplate | undefined;
  /** The last container read brought several new lines. */
  let flowing = false;
  let statusSkipped = false;
  /** Polls to leave the log unread after the last read (quietSkip). */
  let skip = 0;
  /** Polls since the log was last read: how much it may have grown. */
  let pollsSinceLog = 0;
  // One poll: the status and/or the log, as the comment at the top says; done when the run has
  // ended.
  const read = async () => {
    if (!t || !flowing || statusSkipped) {
      t = await clients.aib.virtualMachineImageTemplates.get(o.resourceGroup, o.name, {
        abortSignal: signal,
      });
      statusSkipped = false;
    } else {
      statusSkipped = true;
    }
    const s = t.lastRunStatus;
    const state = String(s?.runState ?? 'Running');
    const sub = String(s?.runSubState ?? 'Queued');
    const terminal = TERMINAL.includes(state);
    const phaseChanged = !terminal && phases[phases.length - 1]?.phase !== sub;
    if (phaseChanged) {
      const now = Date.now();
      if (phases.length) phases[phases.length - 1].ms = now - phaseStarted;
      phaseStarted = now;
      phases.push({ phase: sub, ms: 0 });
      const since = s?.startTime
        ? ` (${formatDuration(now - new Date(s.startTime).getTime())} into the run)`
        : '';
      log.info(`Image Builder: ${sub}${since}`);
    }
    const stagingGroup = t.exactStagingResourceGroup?.split('/').pop();
    pollsSinceLog++;
    const readLog =
      terminal || (sub !== 'Queued' && (flowing || phaseChanged || pollsSinceLog > skip));
    if (stagingGroup && !containerDone && readLog) {
      container ??= new BuildContainer(clients, stagingGroup, signal);
      const before = stream.lines;
      const read = await stream.pollContainer(container, pollsSinceLog).catch((err: unknown) => {
        // The live log is a convenience: an unreachable logs API must not fail the build;
        // customization.log follows at the end.
        if (signal.aborted) throw err;
        containerError = describeArmError(err);
        log.debug(
          `Reading the build container's log failed: ${(err as Error).message.split('\n')[0]}`,
        );
        return false;
      });
      flowing = stream.lines - before >= FLOWING_LINES;
      // No container (yet, or any more): looked for every other poll, as before a first line.
      skip = read ? quietSkip(stream.lines - before, skip) : 1;
      pollsSinceLog = 0;
      // Once the container has been read and is gone, the rest comes from customization.log.
      if (!read && stream.lines > 0) containerDone = true;
    }
    if (containerDone) flowing = false;
    if (!terminal)
      log.progress(progressOf(sub, printer.started, o.customizers.length), `Image Builder: ${sub}`);
    return { t, s, terminal, stagingGroup };
  };
  const {
    value: { t: template, s, stagingGroup },
  } = await poll({ read, done: (v) => v.terminal, intervalMs: o.pollIntervalMs, signal });
  if (phases.length) phases[phases.length - 1].ms = Date.now() - phaseStarted;
  if (stagingGroup) {
    const logs = await stagingLogs(o.azure, clients, stagingGroup, log, signal);
    let runId = printer.runId ?? /OperationId: ([0-9a-f-]{36})/i.exec(s?.message ?? '')?.[1];
    if (logs && !runId) {
      // The container never answered, so its lines (which name the run) were never seen: the newest
      // log of this run is it.
      log.warn(
        `The live build log was unavailable: the build container's log could not be read ` +
          `in ${stagingGroup}${containerError ? ` (${containerError})` : ''}. The log follows ` +
          `from customization.log now that the build has ended.`,
      );
      runId = await logs.newestRunId(s?.startTime ? new Date(s.startTime) : undefined);
    }
    if (
      logs &&
      runId &&
      !(await stream.pollBlob(logs.customizationLog(runId))) &&
      stream.lines === 0
    ) {
      log.warn(
        `The build log packerlogs/${runId}/customization.log was not found in the staging ` +
          `resource group ${stagingGroup}.`,
      );
    }
    if (logs && !runId)
      log.warn(
        `No build log was found in packerlogs/ of the staging resource group ${stagingGroup}.`,
      );
  }
  printer.closeGroup();
  return { template, phases, printer, stream };
}

function progressOf(sub: string, started: number, customizers: number): number {
  const base = PHASE_PERCENT[sub] ?? 2;
  if (sub !== 'Customizing') return base;
  return base + Math.round((50 * Math.min(started, customizers + 1)) / (customizers + 1));
}
