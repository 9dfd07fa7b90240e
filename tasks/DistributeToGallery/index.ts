import { requireProviders } from '../common/azure/providers';
import { NotImplementedError } from '../common/core/errors';
import { runTask } from '../common/pipeline/run';

void runTask('DistributeToGallery', async (ctx) => {
  const azure = await ctx.connect();
  await requireProviders(azure, ['Microsoft.Compute'], ctx.log, ctx.signal);
  throw new NotImplementedError('Publishing gallery image versions (DistributeToGallery)');
});
