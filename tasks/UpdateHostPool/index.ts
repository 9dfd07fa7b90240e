import { requireProviders } from '../common/azure/providers';
import { readUpdateHostPoolParams, UPDATE_HOST_POOL_PROVIDERS } from '../common/hostpool/params';
import { toTaskOutcome } from '../common/hostpool/result';
import { runTask } from '../common/pipeline/run';

void runTask('UpdateHostPool', async (ctx) => {
  // Inputs first: a bad input fails before signing in or touching Azure.
  const params = readUpdateHostPoolParams(ctx.inputs);
  const azure = await ctx.connect();
  await requireProviders(azure, UPDATE_HOST_POOL_PROVIDERS, ctx.log, ctx.signal);
  // Loaded once the first request has gone: nothing before it needs the domain's SDK clients, and
  // evaluating them first would delay it (cold start, issue 15 item 9).
  const { updateHostPool } = await import('../common/hostpool/updateHostPool');
  const result = await updateHostPool({
    azure,
    params,
    log: ctx.log,
    signal: ctx.signal,
    pipeline: ctx.pipeline,
  });
  return toTaskOutcome(result);
});
