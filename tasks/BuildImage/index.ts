import { requireProviders } from '../common/azure/providers';
import { NotImplementedError } from '../common/core/errors';
import { runTask } from '../common/pipeline/run';

void runTask('BuildImage', async (ctx) => {
  const azure = await ctx.connect();
  await requireProviders(azure, ['Microsoft.VirtualMachineImages', 'Microsoft.Compute', 'Microsoft.Storage',
    'Microsoft.Network', 'Microsoft.ManagedIdentity', 'Microsoft.ContainerInstance'], ctx.log, ctx.signal);
  throw new NotImplementedError('Building images (BuildImage)');
});
