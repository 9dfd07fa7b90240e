import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IMAGE_LINUX } from '../sim/domain/support';
import {
  COMMON,
  runBuildImage,
  scenario,
  sentTemplate,
  simulatorFor,
  UBUNTU_SOURCE,
  writesSince,
} from './buildImageFixtures';

/**
 * A `.bicep` templateFile (issue 15 item 10), through the runner against the simulator. The Bicep
 * compiler is Microsoft's and is not on this machine (nor installable from the registries it
 * reaches), so the `bicep` on PATH here is a FAKE of the CLI's contract, and says so: for
 * `bicep build <file> --stdout` it prints on standard output the ARM JSON stored beside the file as
 * <name>.compiled.json (what `bicep build` makes of such a file), exit 0; for a file it has no
 * JSON for, a BCP diagnostic on standard error, exit 1; any other arguments, exit 2. What is tested
 * is the task's use of the CLI (found on PATH, its arguments, its output read as the template, its
 * errors, its absence), not compilation.
 */
const FAKE_BICEP = (node: string) => `#!${node}
// FAKE Bicep CLI for tests: compiles nothing (see tests/e2e/buildImageBicep.test.ts).
const fs = require('fs');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_BICEP_CALLS, JSON.stringify(args) + '\\n');
const [cmd, file, flag] = args;
if (args.length !== 3 || cmd !== 'build' || flag !== '--stdout') {
  console.error('fake bicep: only "build <file> --stdout" is faked, not: ' + args.join(' '));
  process.exit(2);
}
const json = file.replace(/\\.bicep$/, '.compiled.json');
if (!fs.existsSync(json)) {
  console.error(file + '(1,1) : Error BCP007: This declaration type is not recognized.');
  process.exit(1);
}
process.stdout.write(fs.readFileSync(json, 'utf8'));
`;

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
  let calls: string;

  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-bicep-')));
    repo = path.join(root, 's');
    bin = path.join(root, 'bin');
    calls = path.join(root, 'calls.jsonl');
    fs.mkdirSync(path.join(repo, 'images'), { recursive: true });
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'bicep'), FAKE_BICEP(process.execPath), { mode: 0o755 });
    fs.writeFileSync(path.join(repo, 'images', 'main.bicep'), 'param location string\n// ...\n');
    fs.writeFileSync(path.join(repo, 'images', 'main.compiled.json'), JSON.stringify(COMPILED));
    fs.writeFileSync(path.join(repo, 'images', 'broken.bicep'), 'resource oops\n');
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** PATH: the fake's folder (or not) and the system's, which has no bicep or az. */
  const run = (templateFile: string, withCli: boolean, extra: Record<string, string> = {}) =>
    runBuildImage(
      world.sim,
      { ...COMMON, templateFile, ...extra },
      {
        workdir: repo,
        env: {
          PATH: [...(withCli ? [bin] : []), '/usr/bin', '/bin'].join(path.delimiter),
          FAKE_BICEP_CALLS: calls,
        },
      },
    );

  it('compiles main.bicep with `bicep build <file> --stdout`, builds what it gives', async () => {
    const r = await run('images/main.bicep', true);
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    const made = fs
      .readFileSync(calls, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepStrictEqual(made, [['build', path.join(repo, 'images', 'main.bicep'), '--stdout']]);
    const sent = sentTemplate(r)?.body as {
      location: string;
      properties: { customize: { inline?: string[] }[]; distribute: { runOutputName: string }[] };
    };
    assert.strictEqual(sent.location, 'westeurope');
    assert.deepStrictEqual(sent.properties.customize.find((c) => c.inline)?.inline, [
      'echo built from main.bicep',
    ]);
    assert.strictEqual(sent.properties.distribute[0].runOutputName, 'bicep-sig');
  });

  it('refuses before any write when the compiler reports an error, in its words', async () => {
    const from = world.sim.state().requests.length;
    const r = await run('images/broken.bicep', true);
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
    const r = await run('images/main.bicep', false);
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

  it('a .bicepparam file in templateParameters is refused as not implemented', async () => {
    const r = await run('images/main.bicep', true, { templateParameters: 'main.bicepparam' });
    assert.strictEqual(r.result, 'Failed');
    assert.match(r.stdout, /\.bicepparam file .* is not implemented/);
  });
});
