import { requireProviders } from '../common/azure/providers';
import { ATTACH_PROVIDERS, readAttachParams } from '../common/devcenter/params';
import { runTask } from '../common/pipeline/run';

void runTask('AttachGalleryToDevCenter', async (ctx) => {
  // Inputs first: a bad input fails before signing in or touching Azure.
  const params = readAttachParams(ctx.inputs);
  const azure = await ctx.connect();
  await requireProviders(azure, ATTACH_PROVIDERS, ctx.log, ctx.signal);
  // Loaded once the first request has gone: nothing before it needs the domain's SDK clients, and
  // evaluating them first would delay it (cold start, issue 15 item 9).
  const { attachGalleryToDevCenter } = await import('../common/devcenter/attachGallery');
  return attachGalleryToDevCenter({
    azure,
    params,
    log: ctx.log,
    signal: ctx.signal,
    pipeline: ctx.pipeline,
  });
});
