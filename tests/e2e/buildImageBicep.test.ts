import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IMAGE_LINUX } from '../sim/domain/support';
import {
  buildParamsStdout,
  customizersFor,
  SCRIPTS_STORAGE_MODULE,
  SEED004_BICEPPARAM,
  seed004Main,
} from '../support/bicepFixtures';
import {
  COMMON,
  runBuildImage,
  scenario,
  sentTemplate,
  simulatorFor,
  UBUNTU_SOURCE,
  warnings,
  writesSince,
} from './buildImageFixtures';

/**
 * A `.bicep` templateFile and a `.bicepparam` templateParameters (issue 15 item 10), through the
 * runner against the simulator. The Bicep compiler is Microsoft's and is not on this machine (nor
 * installable from the registries it reaches), so the `bicep` (and `az`) on PATH here is a FAKE of
 * the CLI's contract, and says so: for `bicep build <file> --stdout` it prints the ARM JSON stored
 * beside the file as <name>.compiled.json (what `bicep build` makes of such a file); for
 * `bicep build-params <file> --stdout`, <name>.params.stdout.json (what build-params prints: see
 * tests/support/bicepFixtures.ts); exit 0. For a file it has no output for, a BCP diagnostic on
 * standard error, exit 1; any other arguments, exit 2. As `az`, it takes `az bicep <command>
 * --file <file> --stdout`. What is tested is the task's use of the CLI (found on PATH, its
 * arguments, its output read as the template and the parameters, its errors, its absence), not
 * compilation.
 */
const FAKE_BICEP = (node: string) => `#!${node}
// FAKE Bicep CLI for tests: compiles nothing (see tests/e2e/buildImageBicep.test.ts).
const fs = require('fs');
const path = require('path');
const self = path.basename(process.argv[1]);
let args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_BICEP_CALLS, JSON.stringify([self, ...args]) + '\\n');
if (self === 'az') {
  if (args[0] !== 'bicep' || args[2] !== '--file') process.exit(2);
  args = [args[1], ...args.slice(3)];
}
const [cmd, file, flag] = args;
const outputs = {
  build: [/\\.bicep$/, '.compiled.json'],
  'build-params': [/\\.bicepparam$/, '.params.stdout.json'],
};
if (args.length !== 3 || !outputs[cmd] || flag !== '--stdout') {
  console.error('fake bicep: only "build|build-params <file> --stdout", not: ' + args.join(' '));
  process.exit(2);
}
const out = file.replace(outputs[cmd][0], outputs[cmd][1]);
if (!fs.existsSync(out)) {
  console.error(file + '(1,1) : Error BCP007: This declaration type is not recognized.');
  process.exit(1);
}
process.stdout.write(fs.readFileSync(out, 'utf8'));
`;

/** main.bicepparam's `readEnvironmentVariable('FEED_TOKEN')`, as the CLI computes it. */
const FEED_TOKEN = 'feed-token-7f3a9c';

/** What `bicep build` makes of a one-file main.bicep holding an image template (its shape). */
const COMPILED = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  metadata: { _generator: { name: 'bicep', version: '0.30.23.60470' } },
  parameters: {
    location: { type: 'string', defaultValue: '[resourceGroup().location]' },
    runOutputName: { type: 'string', defaultValue: 'bicep-sig' },
  },
  variables: { greeting: "[format('built from {0}', 'main.bicep')]" },
  resources: [
    {
      type: 'Microsoft.VirtualMachineImages/imageTemplates',
      apiVersion: '2024-02-01',
      name: 'golden',
      location: "[parameters('location')]",
      properties: {
        source: UBUNTU_SOURCE,
        customize: [
          { type: 'Shell', name: 'hello', inline: ["[concat('echo ', variables('greeting'))]"] },
        ],
        distribute: [
          {
            type: 'SharedImage',
            galleryImageId: IMAGE_LINUX,
            runOutputName: "[parameters('runOutputName')]",
            targetRegions: [{ name: 'westeurope' }],
          },
        ],
      },
    },
  ],
};

describe('e2e: BuildImage Bicep templateFile (with a FAKE bicep CLI on PATH)', function () {
  this.timeout(120_000);
  const world = simulatorFor(scenario());
  let root: string;
  let repo: string;
  let bin: string;
  let azBin: string;
  let calls: string;

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), text);
  };
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-bicep-')));
    repo = path.join(root, 's');
    bin = path.join(root, 'bin');
    azBin = path.join(root, 'az-bin');
    calls = path.join(root, 'calls.jsonl');
    fs.mkdirSync(bin);
    fs.mkdirSync(azBin);
    fs.writeFileSync(path.join(bin, 'bicep'), FAKE_BICEP(process.execPath), { mode: 0o755 });
    fs.writeFileSync(path.join(azBin, 'az'), FAKE_BICEP(process.execPath), { mode: 0o755 });
    write('images/main.bicep', 'param location string\n// ...\n');
    write('images/main.compiled.json', JSON.stringify(COMPILED));
    write('images/broken.bicep', 'resource oops\n');
    write(
      'images/main.bicepparam',
      "using './main.bicep'\nparam runOutputName = 'from-bicepparam'\n",
    );
    write(
      'images/main.params.stdout.json',
      buildParamsStdout({ runOutputName: 'from-bicepparam' }, COMPILED),
    );
    // Seed 004: main.bicep with its customizations.bicep module, values in main.bicepparam.
    const seed = seed004Main({ source: UBUNTU_SOURCE, galleryImageId: IMAGE_LINUX });
    write('image/main.bicep', "module customizations 'customizations.bicep' = { /* ... */ }\n");
    write('image/customizations.bicep', 'param scriptVersion string\n// ...\n');
    write('image/main.compiled.json', JSON.stringify(seed, null, 2));
    write('image/main.bicepparam', SEED004_BICEPPARAM);
    write(
      'image/main.params.stdout.json',
      buildParamsStdout(
        { runOutputName: 'seed004-sig', scriptVersion: '2.4.1', feedToken: FEED_TOKEN },
        seed,
      ),
    );
    // A module that deploys the storage account its outputs read from.
    const storage = seed004Main({
      source: UBUNTU_SOURCE,
      galleryImageId: IMAGE_LINUX,
      modules: { scripts: SCRIPTS_STORAGE_MODULE },
    });
    write('storage/main.bicep', "module scripts 'scripts.bicep' = { /* ... */ }\n");
    write('storage/main.compiled.json', JSON.stringify(storage));
    write('storage/main.bicepparam', SEED004_BICEPPARAM);
    write(
      'storage/main.params.stdout.json',
      buildParamsStdout(
        { runOutputName: 'seed004-sig', scriptVersion: '2.4.1', feedToken: FEED_TOKEN },
        storage,
      ),
    );
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** PATH: the fake's folder (bicep, az, or none) and the system's, which has no bicep or az. */
  const run = (
    templateFile: string,
    cli: 'bicep' | 'az' | 'none',
    extra: Record<string, string> = {},
  ) => {
    fs.writeFileSync(calls, '');
    const dirs = { bicep: [bin], az: [azBin], none: [] }[cli];
    return runBuildImage(
      world.sim,
      { ...COMMON, templateFile, ...extra },
      {
        workdir: repo,
        env: {
          PATH: [...dirs, '/usr/bin', '/bin'].join(path.delimiter),
          FAKE_BICEP_CALLS: calls,
        },
      },
    );
  };
  /** The body of the image template PUT this run made (`from`: requests before it). */
  const putSince = (from: number) =>
    world.sim
      .state()
      .requests.slice(from)
      .find((q) => q.method === 'PUT' && /\/imageTemplates\/[^/?]+(\?|$)/.test(q.path))?.body as
      Sent | undefined;
  const callsMade = () =>
    fs
      .readFileSync(calls, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as string[]);
  type Sent = {
    location: string;
    properties: {
      customize: { name?: string; inline?: string[] }[];
      distribute: { runOutputName: string }[];
    };
  };

  it('compiles main.bicep with `bicep build <file> --stdout`, builds what it gives', async () => {
    const r = await run('images/main.bicep', 'bicep');
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    assert.deepStrictEqual(callsMade(), [
      ['bicep', 'build', path.join(repo, 'images', 'main.bicep'), '--stdout'],
    ]);
    const sent = sentTemplate(r)?.body as Sent;
    assert.strictEqual(sent.location, 'westeurope');
    assert.deepStrictEqual(sent.properties.customize.find((c) => c.inline)?.inline, [
      'echo built from main.bicep',
    ]);
    assert.strictEqual(sent.properties.distribute[0].runOutputName, 'bicep-sig');
  });

  it('refuses before any write when the compiler reports an error, in its words', async () => {
    const from = world.sim.state().requests.length;
    const r = await run('images/broken.bicep', 'bicep');
    assert.strictEqual(r.result, 'Failed');
    assert.match(
      r.stdout,
      new RegExp(
        "result=Failed;[^\\]]*\\]Input 'templateFile': `bicep build \\S*broken\\.bicep " +
          '--stdout` failed \\(exit 1\\): .*Error BCP007',
      ),
    );
    assert.deepStrictEqual(writesSince(world.sim.state(), from), []);
  });

  it('refuses before any write with no Bicep CLI, naming the step that installs one', async () => {
    const from = world.sim.state().requests.length;
    const r = await run('images/main.bicep', 'none');
    assert.strictEqual(r.result, 'Failed');
    assert.match(
      r.stdout,
      new RegExp(
        "result=Failed;[^\\]]*\\]Input 'templateFile': '\\S*main\\.bicep' is a Bicep file, " +
          'and neither the Bicep CLI \\(bicep\\) nor the Azure CLI \\(az\\) is on this ' +
          "agent's PATH.*az bicep install",
      ),
    );
    assert.deepStrictEqual(writesSince(world.sim.state(), from), []);
  });

  it(
    'a .bicepparam in templateParameters supplies the parameters (`az bicep build-params ' +
      '--file <file> --stdout`, with only the Azure CLI on PATH)',
    async () => {
      const from = world.sim.state().requests.length;
      const r = await run('images/main.bicep', 'az', {
        templateParameters: 'images/main.bicepparam',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.deepStrictEqual(callsMade(), [
        [
          'az',
          'bicep',
          'build-params',
          '--file',
          path.join(repo, 'images/main.bicepparam'),
          '--stdout',
        ],
        ['az', 'bicep', 'build', '--file', path.join(repo, 'images/main.bicep'), '--stdout'],
      ]);
      assert.strictEqual(putSince(from)?.properties.distribute[0].runOutputName, 'from-bicepparam');
    },
  );

  it("seed 004: main.bicep + its module, built with the module's customisers", async () => {
    const from = world.sim.state().requests.length;
    const r = await run('image/main.bicep', 'bicep', {
      templateParameters: 'image/main.bicepparam',
    });
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    assert.deepStrictEqual(callsMade(), [
      ['bicep', 'build-params', path.join(repo, 'image/main.bicepparam'), '--stdout'],
      ['bicep', 'build', path.join(repo, 'image/main.bicep'), '--stdout'],
    ]);
    const sent = putSince(from);
    assert.deepStrictEqual(
      sent?.properties.customize.filter((c) => c.name === 'baseline' || c.name === 'tools-2.4.1'),
      customizersFor('2.4.1', FEED_TOKEN),
    );
    // The secure parameter's value is registered as a secret before anything prints it.
    const registered = r.stdout.indexOf(`##vso[task.setsecret]${FEED_TOKEN}`);
    assert.ok(registered >= 0, r.stdout);
    assert.ok(
      r.stdout.indexOf(FEED_TOKEN) === registered + '##vso[task.setsecret]'.length,
      'not printed before it is a secret',
    );
    assert.strictEqual(sent?.properties.distribute[0].runOutputName, 'seed004-sig');
    assert.ok(
      warnings(r).some((w) => /Module 'customizations' is not deployed/.test(w)),
      r.stdout,
    );
  });

  it('refuses before any write a module that deploys resources, naming it', async () => {
    const from = world.sim.state().requests.length;
    const r = await run('storage/main.bicep', 'bicep', {
      templateParameters: 'storage/main.bicepparam',
    });
    assert.strictEqual(r.result, 'Failed');
    assert.match(
      r.stdout,
      new RegExp(
        "result=Failed;[^\\]]*\\]Input 'templateFile': " +
          "resources\\[1\\]\\.properties\\.customize: module 'scripts' \\(resources\\[0\\]\\): " +
          'properties\\.template\\.resources: it deploys ' +
          '1 resource \\(Microsoft\\.Storage/storageAccounts\\)',
      ),
    );
    assert.deepStrictEqual(writesSince(world.sim.state(), from), []);
  });

  it('refuses a .bicepparam before any write with no CLI, naming what installs one', async () => {
    const from = world.sim.state().requests.length;
    const r = await run('image/main.bicep', 'none', {
      templateParameters: 'image/main.bicepparam',
    });
    assert.strictEqual(r.result, 'Failed');
    assert.match(
      r.stdout,
      new RegExp(
        "result=Failed;[^\\]]*\\]Input 'templateParameters': 'image/main\\.bicepparam' is a " +
          'Bicep parameters file, and neither the Bicep CLI \\(bicep\\) nor the Azure CLI ' +
          "\\(az\\) is on this agent's PATH.*az bicep install",
      ),
    );
    assert.deepStrictEqual(writesSince(world.sim.state(), from), []);
  });
});
