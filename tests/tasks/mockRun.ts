/**
 * MockTestRunner entry: runs one task's compiled entry (out/tasks/<Task>/index.js; a bundle can't
 * be intercepted) with its inputs and an agent-shaped service connection, the provider pre-flight
 * replaced by a recorder so no request leaves the process. MOCK_TASK names the task.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';
import { endpointEnv } from '../../scripts/agentEnv';

const task = process.env.MOCK_TASK ?? '';
const runner = new TaskMockRunner(path.join(__dirname, '..', '..', 'tasks', task, 'index.js'));
runner.setInput('azureSubscription', 'arm-connection');
// Task-specific inputs (JSON object) from the test.
for (const [name, value] of Object.entries(
  JSON.parse(process.env.MOCK_INPUTS ?? '{}') as Record<string, string>,
))
  runner.setInput(name, value);
Object.assign(
  process.env,
  endpointEnv({
    id: 'arm-connection',
    auth: 'sp',
    tenantId: 'tenant',
    clientId: 'client',
    secret: 'secret',
    subscriptionId: 'sub',
    subscriptionName: 'Images',
    armUrl: 'https://management.azure.com/',
    authorityHost: 'https://login.microsoftonline.com/',
  }),
  { AGENT_TEMPDIRECTORY: fs.mkdtempSync(path.join(os.tmpdir(), 'gip-mock-')) },
);
runner.registerMock('../common/azure/providers', {
  requireProviders: async (_azure: unknown, namespaces: string[]) =>
    console.log(`MOCK requireProviders ${namespaces.join(',')}`),
});
if (task === 'DistributeToGallery') {
  for (const [name, value] of Object.entries({
    source: '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/images/img-1',
    galleryResourceGroup: 'rg',
    galleryName: 'golden',
    imageDefinition: 'win11',
    versionStrategy: 'explicit',
    version: '1.2.3',
    targetRegions: 'westeurope=2:Standard_ZRS, eastus',
  }))
    runner.setInput(name, value);
  runner.registerMock('../common/gallery/distribute', {
    distributeToGallery: async (_azure: unknown, params: unknown) => {
      console.log(`MOCK distributeToGallery ${JSON.stringify(params)}`);
      return { result: 'Succeeded', message: 'published', outputs: { imageVersionName: '1.2.3' } };
    },
  });
}
runner.run();
