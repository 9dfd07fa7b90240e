import { requireProviders } from '../common/azure/providers';
import { distributeToGallery } from '../common/gallery/distribute';
import { readDistributeParams } from '../common/gallery/params';
import { runTask } from '../common/pipeline/run';

void runTask('DistributeToGallery', async (ctx) => {
  // Inputs first: a bad input fails before signing in or touching Azure.
  const params = readDistributeParams(ctx.inputs, ctx.pipeline);
  const azure = await ctx.connect();
  await requireProviders(azure, ['Microsoft.Compute'], ctx.log, ctx.signal);
  return distributeToGallery(azure, params, ctx.log, ctx.signal, ctx.pipeline);
});
