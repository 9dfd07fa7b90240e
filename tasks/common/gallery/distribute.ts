/**
 * DistributeToGallery's core: publish an image version to an Azure Compute Gallery, replicate it,
 * promote it, prune old versions. Plain TypeScript (no task-lib): a logger, an abort signal and the
 * Azure connection come in, a task outcome goes out.
 */
import { AzureContext } from '../azure/clients';
import { Logger } from '../core/logger';
import { TaskOutcome } from '../core/outcome';
import { PipelineInfo } from '../core/pipelineInfo';
import { GalleryRun } from './context';
import { prune, promote, replicate } from './lifecycle';
import { DistributeParams } from './params';
import { publish } from './publish';

export async function distributeToGallery(
  azure: AzureContext,
  params: DistributeParams,
  log: Logger,
  signal: AbortSignal,
  pipeline: PipelineInfo,
): Promise<TaskOutcome> {
  const run = new GalleryRun(azure, params, log, signal, pipeline);
  switch (params.action) {
    case 'publish':
      return publish(run);
    case 'replicate':
      return replicate(run);
    case 'promote':
      return promote(run);
    case 'prune':
      return prune(run);
  }
}
