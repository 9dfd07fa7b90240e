import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from '../../scripts/tasks';
import { parseArgs } from '../../scripts/runner/cli';
import { DEFAULT_CONNECTION_ID, runTask } from '../../scripts/runner/runner';
import { RunningSim, startSimulator } from '../sim';

const CLI = path.join(ROOT, 'out', 'scripts', 'runner', 'cli.js');

function cli(
  args: string[],
  opts: { interruptAfterMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: os.tmpdir(),
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir() },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    if (opts.interruptAfterMs !== undefined) {
      const wait = setInterval(() => {
        // Interrupt once the task is waiting on Azure (it printed its pre-flight debug lines).
        if (/task\.debug\]azureSubscription=/.test(stdout)) {
          clearInterval(wait);
          setTimeout(() => child.kill('SIGINT'), opts.interruptAfterMs);
        }
      }, 50);
    }
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Well-formed AttachGalleryToDevCenter inputs (read before it signs in), naming nothing real. */
const GROUP = '/subscriptions/1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f/resourceGroups/rg/providers';
const DEV_BOX_INPUTS = {
  devCenter: `${GROUP}/Microsoft.DevCenter/devcenters/dc`,
  gallery: `${GROUP}/Microsoft.Compute/galleries/gal_images`,
};

describe('e2e: the runner (npm run task)', function () {
  this.timeout(90_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-runner-'));

  it(
    'prints the task output, secret variables masked, exits 1 for Failed and writes the ' + 'state',
    async () => {
      const stateOut = path.join(dir, 'state.json');
      const password = 'Sup3r-secret-join-password';
      const image =
        '/subscriptions/1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f/resourceGroups/rg/providers/' +
        'Microsoft.Compute/galleries/gal/images/win11/versions/1.0.0';
      const { code, stdout } = await cli([
        'UpdateHostPool',
        '--auth',
        'sp-cert',
        '--state-out',
        stateOut,
        '--var',
        'Build.BuildId=77',
        '--input',
        'hostPool=hp-none',
        '--input',
        'resourceGroup=rg-none',
        '--input',
        `image=${image}`,
        '--input',
        'domainJoinPassword=$(joinPassword)',
        '--secret-var',
        `joinPassword=${password}`,
      ]);
      assert.strictEqual(code, 1, stdout);
      assert.match(stdout, /##vso\[task\.complete result=Failed;done=true;\][^\n]*hp-none/);
      // task-lib prints every input it reads as a debug line; the agent, and the runner, mask it.
      assert.match(stdout, /##vso\[task\.debug\]domainJoinPassword=\*\*\*$/m);
      assert.ok(!stdout.includes(password), 'the secret variable is masked');
      const state = JSON.parse(fs.readFileSync(stateOut, 'utf8'));
      assert.ok(Array.isArray(state.resources) && Array.isArray(state.requests));
      assert.ok(
        state.requests.some((r: { path: string }) =>
          /Microsoft\.DesktopVirtualization/.test(r.path),
        ),
      );
    },
  );

  it('refuses bad arguments with exit code 3', async () => {
    const { code, stderr } = await cli(['NoSuchTask']);
    assert.strictEqual(code, 3);
    assert.match(
      stderr,
      /runner: First argument: the task name, one of BuildImage, DistributeToGallery/,
    );
    assert.strictEqual((await cli(['BuildImage', '--auth', 'kerberos'])).code, 3);
  });

  it('SIGINT cancels as the agent does: Cancelled, exit code 2, state still written', async () => {
    const scenario = path.join(dir, 'slow.json');
    fs.writeFileSync(
      scenario,
      JSON.stringify({
        faults: [
          { method: 'GET', path: '/providers/Microsoft\\.DevCenter\\?', delayMs: 30_000, times: 5 },
        ],
      }),
    );
    const stateOut = path.join(dir, 'cancelled.json');
    const started = Date.now();
    const { code, stdout } = await cli(
      [
        'AttachGalleryToDevCenter',
        ...Object.entries(DEV_BOX_INPUTS).flatMap(([k, v]) => ['--input', `${k}=${v}`]),
        '--scenario',
        scenario,
        '--state-out',
        stateOut,
      ],
      { interruptAfterMs: 300 },
    );
    assert.strictEqual(code, 2, stdout);
    assert.match(stdout, /##vso\[task\.complete result=Cancelled/);
    assert.ok(
      Date.now() - started < 20_000,
      'the task stopped on SIGINT, without waiting for the slow request',
    );
    assert.ok(fs.existsSync(stateOut));
  });

  it(
    '--subscription-id points the connection at that subscription, with its declared name; ' +
      'the connection carries the Graph URL',
    async () => {
      const subs = [
        { subscriptionId: '1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f', displayName: 'Images' },
        { subscriptionId: 'b0b0b0b0-1111-4222-8333-444455556666', displayName: 'Galleries' },
      ];
      assert.strictEqual(
        parseArgs(['DistributeToGallery', '--subscription-id', subs[1].subscriptionId]).options
          .subscriptionId,
        subs[1].subscriptionId,
      );
      // A stand-in for the bundle that reports the connection's endpoint data as the agent set it.
      const probe = path.join(dir, 'probe.js');
      const prefix = `ENDPOINT_DATA_${DEFAULT_CONNECTION_ID}_`;
      fs.writeFileSync(
        probe,
        [
          'const data = Object.fromEntries(',
          `  Object.entries(process.env).filter(([k]) => k.startsWith('${prefix}')),`,
          ');',
          "console.log('##vso[task.setvariable variable=data;isOutput=true;issecret=false;]' +",
          '  JSON.stringify(data));',
          "console.log('##vso[task.complete result=Succeeded;done=true;]probed');",
        ].join('\n'),
      );
      let sim: RunningSim | undefined;
      try {
        sim = await startSimulator({ scenario: { subscriptions: subs } });
        const data = async (subscriptionId?: string) => {
          const r = await runTask({
            task: 'DistributeToGallery',
            sim,
            subscriptionId,
            entry: probe,
          });
          assert.strictEqual(r.result, 'Succeeded', r.stdout);
          const d = JSON.parse(r.outputs.data);
          const key = (k: string) => `ENDPOINT_DATA_${DEFAULT_CONNECTION_ID}_${k}`;
          return [
            d[key('SUBSCRIPTIONID')],
            d[key('SUBSCRIPTIONNAME')],
            d[key('MICROSOFTGRAPHURL')],
          ];
        };
        assert.deepStrictEqual(await data(), [subs[0].subscriptionId, 'Images', sim.info.graphUrl]);
        assert.deepStrictEqual(await data(subs[1].subscriptionId), [
          subs[1].subscriptionId,
          'Galleries',
          sim.info.graphUrl,
        ]);
        assert.match(sim.info.graphUrl, /^https:\/\/127\.0\.0\.1:\d+\/graph\/$/);
      } finally {
        await sim?.stop();
      }
    },
  );

  it(
    '--secret-var: the task gets it as the agent passes a secret variable and as $(name) in ' +
      'inputs; its value is masked in the log; files left in the temp folder are reported',
    async () => {
      const secret = 'P@ss-w0rd!with$(odd)chars';
      assert.deepStrictEqual(
        parseArgs(['UpdateHostPool', '--secret-var', `joinPassword=${secret}`]).options
          .secretVariables,
        { joinPassword: secret },
      );
      // A stand-in for the bundle: reports what reached it, prints the secret across two writes
      // (the masking sees whole lines) and leaves a file in the agent's temp folder.
      const probe = path.join(dir, 'secretProbe.js');
      fs.writeFileSync(
        probe,
        [
          'const env = process.env;',
          'const seen = { input: env.INPUT_DOMAINJOINPASSWORD, secret: env.SECRET_JOINPASSWORD,',
          '  plain: env.JOINPASSWORD, other: env.INPUT_VMSIZE };',
          "process.stdout.write('joining with ' + env.SECRET_JOINPASSWORD.slice(0, 5));",
          "process.stdout.write(env.SECRET_JOINPASSWORD.slice(5) + ' now\\n');",
          "require('fs').writeFileSync(require('path').join(env.AGENT_TEMPDIRECTORY, 'left.txt'),",
          "  'x');",
          "console.log('##vso[task.setvariable variable=seen;isOutput=true;issecret=false;]' +",
          '  JSON.stringify(seen));',
          "console.log('##vso[task.complete result=Succeeded;done=true;]probed');",
        ].join('\n'),
      );
      let sim: RunningSim | undefined;
      try {
        sim = await startSimulator();
        let log = '';
        const r = await runTask({
          task: 'UpdateHostPool',
          sim,
          entry: probe,
          inputs: { domainJoinPassword: '$(joinPassword)', vmSize: '$(Build.BuildId)-$(nope)' },
          secretVariables: { joinPassword: secret },
          onOutput: (chunk) => {
            log += chunk;
          },
        });
        assert.strictEqual(r.result, 'Succeeded', r.stdout);
        assert.deepStrictEqual(JSON.parse(r.outputs.seen), {
          input: secret,
          secret,
          other: '1001-$(nope)',
        });
        assert.match(log, /^joining with \*\*\* now$/m);
        assert.ok(!log.includes(secret), log);
        assert.ok(r.stdout.includes(`joining with ${secret} now`), 'stdout is what the task wrote');
        assert.deepStrictEqual(r.tempFilesLeft, ['left.txt']);
      } finally {
        await sim?.stop();
      }
    },
  );

  it(
    'sets a service-connection input given under an alias the way the agent does, and leaves ' +
      'explicit ones alone',
    async () => {
      let sim: RunningSim | undefined;
      try {
        sim = await startSimulator();
        const viaAlias = await runTask({
          task: 'AttachGalleryToDevCenter',
          sim,
          inputs: { ...DEV_BOX_INPUTS, ConnectedServiceName: 'my-own-connection' },
        });
        assert.match(
          viaAlias.message ?? '',
          /Input 'azureSubscription': service connection 'my-own-connection' could not be read/,
        );
      } finally {
        await sim?.stop();
      }
    },
  );
});
