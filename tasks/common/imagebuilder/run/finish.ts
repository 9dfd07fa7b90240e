/**
 * The end of a build this job follows: its log live until the run ends (livelog/follow.ts), then
 * the run outputs, the template deleted (or kept: asked to, for debugging, or while it holds a
 * staged VHD) and the outcome. Cancelled meanwhile, the run is cancelled too (cancelBuild.ts).
 */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import { AzureContext } from '../../azure/clients';
import { describeArmError } from '../../azure/armErrors';
import { CancelledError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { BuildParams } from '../inputs/params';
import { BuildClients, lroInterval } from '../clients';
import { followBuild, FollowResult } from '../livelog/follow';
import { cancelBuild } from './cancelBuild';
import { BuildBasis, buildReport, BuildResult, outcomeOf, RunOutputInfo } from './outcome';

/** What following and finishing a build needs of the parameters. */
export type FollowParams = Pick<BuildParams, 'resourceGroup' | 'keepTemplate' | 'pollIntervalMs'>;

export interface FinishOptions extends BuildBasis {
  azure: AzureContext;
  clients: BuildClients;
  params: FollowParams;
  log: Logger;
  signal: AbortSignal;
}

export async function followAndFinish(o: FinishOptions): Promise<BuildResult> {
  const { params, log, signal } = o;
  let followed: FollowResult;
  try {
    followed = await followBuild({
      azure: o.azure,
      clients: o.clients,
      resourceGroup: params.resourceGroup,
      name: o.name,
      customizers: o.customizers,
      pollIntervalMs: params.pollIntervalMs,
      log,
      signal,
    });
  } catch (err) {
    if (signal.aborted) {
      log.endGroup();
      await cancelBuild({
        clients: o.clients,
        resourceGroup: params.resourceGroup,
        name: o.name,
        keepTemplate: params.keepTemplate,
        log,
      });
      throw new CancelledError();
    }
    throw err;
  }
  return finish(o, followed);
}

async function finish(o: FinishOptions, f: FollowResult): Promise<BuildResult> {
  const { clients, params, log } = o;
  const rg = params.resourceGroup;
  const t: ImageTemplate = f.template;
  const name = t.name ?? '';
  const runState = String(t.lastRunStatus?.runState ?? 'Failed');
  const runOutputs: RunOutputInfo[] = [];
  for await (const out of clients.aib.virtualMachineImageTemplates.listRunOutputs(rg, name)) {
    runOutputs.push({
      name: out.name ?? '',
      artifactId: out.artifactId,
      artifactUri: out.artifactUri,
      provisioningState: out.provisioningState,
    });
  }
  const r = buildReport(o, runState, { phases: f.phases, runOutputs, logLines: f.stream.lines });
  const message = String(t.lastRunStatus?.message ?? '');
  const attachments = [
    {
      type: 'BuildImage.log',
      name: `customization-${name}.log`,
      content: f.printer.all.map((l) => `${l}\n`).join(''),
    },
  ];
  log.info(
    `Build log: ${f.stream.lines} lines printed (container log: ` +
      `${f.stream.fetched.container} bytes in ${f.stream.fetched.containerCalls} reads; ` +
      `customization.log: ${f.stream.fetched.blob} bytes in ${f.stream.fetched.blobCalls} ` +
      `reads).`,
  );

  // Read from the template, which `wait` did not compose.
  const keepForDebugging = runState === 'Failed' && t.errorHandling?.onCustomizerError === 'abort';
  const stagedVhd = stagedVhdUri(t, runOutputs);
  if (params.keepTemplate || keepForDebugging) {
    log.info(
      `Keeping image template ` +
        `${name}` +
        `${keepForDebugging ? ' and its build VM for debugging (onCustomizerError: abort)' : ''}.`,
    );
  } else if (stagedVhd) {
    log.warn(
      `The VHD ${stagedVhd} is in Image Builder's staging resource group, which is deleted ` +
        `with the image template: template ${name} is kept. ` +
        (`Copy the VHD, then delete it (az image builder delete -g ${rg} -n ${name}, or a ` +
          `later action: cleanup); a vhdUri input writes the VHD to your own storage instead.`),
    );
  } else {
    await deleteTemplate({ ...o, name });
  }

  for (const out of runOutputs)
    log.info(
      (
        `Run output ${out.name}: ${out.provisioningState ?? ''} ` +
        `${out.artifactId ?? out.artifactUri ?? ''}`
      ).trimEnd(),
    );
  switch (runState) {
    case 'Succeeded':
      return outcomeOf(
        r,
        `Image built by template ${name}: ${runOutputs
          .map((out) => out.artifactId ?? out.artifactUri)
          .filter(Boolean)
          .join(', ')}.`,
        attachments,
      );
    case 'PartiallySucceeded':
      log.warn(`Some distribution targets failed: ${message}`);
      return outcomeOf(
        r,
        `The image was built but not every distribution target succeeded: ${message}`,
        attachments,
      );
    default: {
      for (const line of f.printer.explanation()) log.error(line);
      return outcomeOf(
        r,
        `The Image Builder run of template ${name} ` +
          `${runState === 'Canceled' ? 'was cancelled' : 'failed'}: ${message}`,
        attachments,
      );
    }
  }
}

/**
 * A VHD written without `uri` lives in the staging group, so deleting the template would delete it.
 */
function stagedVhdUri(t: ImageTemplate, runOutputs: RunOutputInfo[]): string | undefined {
  for (const d of t.distribute ?? []) {
    if (d.type !== 'VHD' || (d as { uri?: string }).uri) continue;
    const out = runOutputs.find(
      (o) => o.name === d.runOutputName && o.artifactUri && o.provisioningState === 'Succeeded',
    );
    if (out) return out.artifactUri;
  }
  return undefined;
}

async function deleteTemplate(o: FinishOptions): Promise<void> {
  const { clients, params, name, log } = o;
  const rg = params.resourceGroup;
  try {
    await clients.aib.virtualMachineImageTemplates.delete(rg, name, {
      updateIntervalInMs: lroInterval(params.pollIntervalMs),
    });
    log.info(`Deleted image template ${name} (and its staging resources).`);
  } catch (err) {
    log.warn(
      `Deleting image template ${name} failed: ${describeArmError(err)}. Delete it with: ` +
        `az image builder delete -g ${rg} -n ${name}`,
    );
  }
}
