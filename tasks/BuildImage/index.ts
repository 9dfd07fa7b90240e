import { requireProviders } from '../common/azure/providers';
import { buildImage } from '../common/imagebuilder/buildImage';
import { readTaskParams } from '../common/imagebuilder/inputs/params';
import { runTask } from '../common/pipeline/run';

void runTask('BuildImage', async (ctx) => {
  // Inputs first: a bad input fails before signing in or touching Azure.
  const params = readTaskParams(ctx.inputs, ctx.pipeline);
  const registerProviders = ctx.inputs.bool('registerProviders');
  const azure = await ctx.connect();
  await requireProviders(
    azure,
    [
      'Microsoft.VirtualMachineImages',
      'Microsoft.Compute',
      'Microsoft.Storage',
      'Microsoft.Network',
      'Microsoft.ManagedIdentity',
      'Microsoft.ContainerInstance',
    ],
    ctx.log,
    ctx.signal,
    registerProviders,
  );
  return buildImage({ azure, params, log: ctx.log, signal: ctx.signal, pipeline: ctx.pipeline });
});
