// The CLI other tools run: SIM_READY line, --info-out, the admin endpoints, state written on
// SIGTERM.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SimInfo, StateDump } from './index';
import { trustingHttpClient } from './index';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';

describe('simulator: CLI', function () {
  this.timeout(20000);

  it('prints SIM_READY, serves /_sim/info and /_sim/state, writes state on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
    const scenarioFile = path.join(dir, 'scenario.json');
    const infoOut = path.join(dir, 'info.json');
    const stateOut = path.join(dir, 'state.json');
    const rgId = '/subscriptions/1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f/resourceGroups/from-scenario';
    fs.writeFileSync(
      scenarioFile,
      JSON.stringify({
        resources: [
          { id: rgId, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
        ],
      }),
    );
    const child = spawn(
      process.execPath,
      [
        path.join(__dirname, 'main.js'),
        '--scenario',
        scenarioFile,
        '--info-out',
        infoOut,
        '--state-out',
        stateOut,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const info = await new Promise<SimInfo>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /^SIM_READY (.*)$/m.exec(out);
          if (m) resolve(JSON.parse(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
      });
      assert.deepStrictEqual(JSON.parse(fs.readFileSync(infoOut, 'utf8')), info);
      const client = trustingHttpClient(fs.readFileSync(info.caCertPath, 'utf8'));
      const get = async (p: string): Promise<any> =>
        JSON.parse(
          (
            await client.sendRequest(
              createPipelineRequest({ url: info.armUrl + p, headers: createHttpHeaders() }),
            )
          ).bodyAsText!,
        );
      assert.deepStrictEqual(await get('_sim/info'), info);
      const live: StateDump = await get('_sim/state');
      assert.deepStrictEqual(
        live.resources.map((r) => r.id),
        [rgId],
      );
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.strictEqual(await exited, 0);
      const state: StateDump = JSON.parse(fs.readFileSync(stateOut, 'utf8'));
      assert.strictEqual(state.resources[0].properties.provisioningState, 'Succeeded');
      assert.deepStrictEqual(state.requests, [], 'admin calls are not recorded');
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
