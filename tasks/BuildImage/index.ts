import { requireProviders } from '../common/azure/providers';
import { BUILD_IMAGE_PROVIDERS, readTaskParams } from '../common/imagebuilder/inputs/params';
import { runTask } from '../common/pipeline/run';

void runTask('BuildImage', async (ctx) => {
  // Inputs first: a bad input fails before signing in or touching Azure.
  const params = readTaskParams(ctx.inputs, ctx.pipeline);
  const registerProviders = ctx.inputs.bool('registerProviders');
  const azure = await ctx.connect();
  await requireProviders(azure, BUILD_IMAGE_PROVIDERS, ctx.log, ctx.signal, registerProviders);
  // Loaded once the first request has gone: nothing before it needs the domain's SDK clients, and
  // evaluating them first would delay it (cold start, issue 15 item 9).
  const { buildImage } = await import('../common/imagebuilder/buildImage');
  return buildImage({ azure, params, log: ctx.log, signal: ctx.signal, pipeline: ctx.pipeline });
});
