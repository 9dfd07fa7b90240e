import { requireProviders } from '../common/azure/providers';
import { DISTRIBUTE_PROVIDERS, readDistributeParams } from '../common/gallery/params';
import { runTask } from '../common/pipeline/run';

void runTask('DistributeToGallery', async (ctx) => {
  // Inputs first: a bad input fails before signing in or touching Azure.
  const params = readDistributeParams(ctx.inputs, ctx.pipeline);
  const azure = await ctx.connect();
  await requireProviders(azure, DISTRIBUTE_PROVIDERS, ctx.log, ctx.signal);
  // Loaded once the first request has gone: nothing before it needs the domain's SDK clients, and
  // evaluating them first would delay it (cold start, issue 15 item 9).
  const { distributeToGallery } = await import('../common/gallery/distribute');
  return distributeToGallery(azure, params, ctx.log, ctx.signal, ctx.pipeline);
});
