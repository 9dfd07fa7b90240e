/**
 * MockTestRunner entry: runs one task's compiled entry (out/tasks/<Task>/index.js; a bundle can't be
 * intercepted) with its inputs and an agent-shaped service connection, the provider pre-flight
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
Object.assign(process.env, endpointEnv({
  id: 'arm-connection', auth: 'sp', tenantId: 'tenant', clientId: 'client', secret: 'secret', subscriptionId: 'sub',
  subscriptionName: 'Images', armUrl: 'https://management.azure.com/', authorityHost: 'https://login.microsoftonline.com/',
}), { AGENT_TEMPDIRECTORY: fs.mkdtempSync(path.join(os.tmpdir(), 'gip-mock-')) });
runner.registerMock('../common/azure/providers', {
  requireProviders: async (_azure: unknown, namespaces: string[]) => console.log(`MOCK requireProviders ${namespaces.join(',')}`),
});
runner.run();
