import { requireProviders } from '../common/azure/providers';
import { attachGalleryToDevCenter } from '../common/devcenter/attachGallery';
import { readAttachParams } from '../common/devcenter/params';
import { runTask } from '../common/pipeline/run';

void runTask('AttachGalleryToDevCenter', async (ctx) => {
  // Inputs first: a bad input fails before signing in or touching Azure.
  const params = readAttachParams(ctx.inputs);
  const azure = await ctx.connect();
  await requireProviders(azure, ['Microsoft.DevCenter', 'Microsoft.Compute'], ctx.log, ctx.signal);
  return attachGalleryToDevCenter({
    azure,
    params,
    log: ctx.log,
    signal: ctx.signal,
    pipeline: ctx.pipeline,
  });
});
