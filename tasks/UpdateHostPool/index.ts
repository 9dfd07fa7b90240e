import { requireProviders } from '../common/azure/providers';
import { NotImplementedError } from '../common/core/errors';
import { runTask } from '../common/pipeline/run';

void runTask('UpdateHostPool', async (ctx) => {
  const azure = await ctx.connect();
  await requireProviders(
    azure,
    ['Microsoft.DesktopVirtualization', 'Microsoft.Compute', 'Microsoft.Network'],
    ctx.log,
    ctx.signal,
  );
  throw new NotImplementedError('Rolling host pools onto an image (UpdateHostPool)');
});
