import { requireProviders } from '../common/azure/providers';
import { NotImplementedError } from '../common/core/errors';
import { runTask } from '../common/pipeline/run';

void runTask('AttachGalleryToDevCenter', async (ctx) => {
  const azure = await ctx.connect();
  await requireProviders(azure, ['Microsoft.DevCenter', 'Microsoft.Compute'], ctx.log, ctx.signal);
  throw new NotImplementedError('Attaching galleries to dev centers (AttachGalleryToDevCenter)');
});
