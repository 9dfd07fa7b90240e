/**
 * MockTestRunner entry: runs one task's compiled entry (out/tasks/<Task>/index.js; a bundle can't
 * be intercepted) with the test's inputs and an agent-shaped service connection, the provider
 * pre-flight replaced by a recorder so no request leaves the process. A built task's core is
 * replaced too: it prints the parameters it receives and returns the test's outcome. MOCK_TASK
 * names the task, MOCK_INPUTS its inputs and MOCK_OUTCOME what its core returns (JSON).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';
import { endpointEnv } from '../../scripts/agentEnv';

/**
 * Each built task's core: the module its entry imports it from, the function, and where in the
 * call its parameters are.
 */
const CORES: Record<string, { module: string; name: string; params(args: unknown[]): unknown }> = {
  BuildImage: {
    module: '../common/imagebuilder/buildImage',
    name: 'buildImage',
    params: ([options]) => (options as { params: unknown }).params,
  },
  DistributeToGallery: {
    module: '../common/gallery/distribute',
    name: 'distributeToGallery',
    params: ([, params]) => params,
  },
  UpdateHostPool: {
    module: '../common/hostpool/updateHostPool',
    name: 'updateHostPool',
    params: ([options]) => (options as { params: unknown }).params,
  },
};

/** Mocha loads every file of this folder when given the folder: only MockTestRunner runs this. */
if (require.main === module) mockRun();

function mockRun(): void {
  const task = process.env.MOCK_TASK ?? '';
  const runner = new TaskMockRunner(path.join(__dirname, '..', '..', 'tasks', task, 'index.js'));
  runner.setInput('azureSubscription', 'arm-connection');
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
    requireProviders: (_azure: unknown, namespaces: string[]) => {
      console.log(`MOCK requireProviders ${namespaces.join(',')}`);
      return Promise.resolve();
    },
  });
  const core = CORES[task];
  if (core) {
    runner.registerMock(core.module, {
      [core.name]: (...args: unknown[]) => {
        console.log(`MOCK ${core.name} ${JSON.stringify(core.params(args))}`);
        return Promise.resolve(JSON.parse(process.env.MOCK_OUTCOME ?? '{}') as unknown);
      },
    });
  }
  runner.run();
}
