import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputReader } from '../../../../../tasks/common/core/inputReader';
import {
  checkUsing,
  parametersOf,
  usingTarget,
} from '../../../../../tasks/common/imagebuilder/template/templateFile/bicepParams';
import * as inputs from '../../../../../tasks/common/imagebuilder/template/templateFile/inputs';
import { buildParamsStdout } from '../../../../support/bicepFixtures';
import { PIPELINE } from '../../../../support/pipelineInfo';

const REPO = path.resolve('/agent/_work/1/s');

describe('templateFile: .bicepparam templateParameters', () => {
  it('reads the template `using` names, past comments and strings', () => {
    assert.deepStrictEqual(usingTarget("using './main.bicep'\nparam a = 1\n"), {
      kind: 'file',
      ref: './main.bicep',
    });
    assert.deepStrictEqual(
      usingTarget(
        "// using 'commented.bicep'\n/* using 'block.bicep'\n */\n" +
          "using 'it\\'s/main.bicep' // trailing\n",
      ),
      { kind: 'file', ref: "it's/main.bicep" },
    );
    assert.deepStrictEqual(usingTarget('using none\nparam a = 1'), { kind: 'none' });
    assert.deepStrictEqual(usingTarget("using 'br/public:avm/res/x:1.0.0'"), {
      kind: 'other',
      ref: 'br/public:avm/res/x:1.0.0',
    });
    assert.strictEqual(usingTarget("param a = 'using \\'x.bicep\\''"), undefined);
  });

  it('takes a .bicepparam whose `using` is the templateFile (or none), refuses another', () => {
    const o = (text: string) => ({
      paramsFile: path.join(REPO, 'image', 'main.bicepparam'),
      paramsGiven: 'image/main.bicepparam',
      text,
      templateFile: path.join(REPO, 'image', 'main.bicep'),
      templateGiven: 'image/main.bicep',
    });
    checkUsing(o("using './main.bicep'"));
    checkUsing(o("using '../image/main.bicep'"));
    checkUsing(o('using none'));
    assert.throws(
      () => checkUsing(o("using './other.bicep'")),
      new RegExp(
        "Input 'templateParameters': 'image/main\\.bicepparam' declares " +
          "`using '\\./other\\.bicep'`, which is not the templateFile 'image/main\\.bicep'" +
          ".*Expected `using 'main\\.bicep'` " +
          '\\(the templateFile\\) or `using none`, or templateFile naming the template',
      ),
    );
    assert.throws(
      () => checkUsing(o("using 'ts:sub/rg/spec:1.0'")),
      /declares `using 'ts:sub\/rg\/spec:1\.0'`, which is not the templateFile/,
    );
    assert.throws(
      () => checkUsing(o("param a = 'x'")),
      /'image\/main\.bicepparam' has no `using` declaration/,
    );
  });

  it("reads the values from build-params --stdout's parametersJson", () => {
    const out = buildParamsStdout({ a: 'x', n: 2, o: { list: [1, 'b'] }, f: false }, null);
    assert.deepStrictEqual(parametersOf(out, 'p.bicepparam'), {
      a: 'x',
      n: 2,
      o: { list: [1, 'b'] },
      f: false,
    });
  });

  it('refuses what it can not use, naming the parameter, and output of another shape', () => {
    const stdout = (parameters: object) =>
      JSON.stringify({ parametersJson: JSON.stringify({ parameters }), templateJson: null });
    assert.throws(
      () =>
        parametersOf(
          stdout({ pw: { reference: { keyVault: { id: 'kv' }, secretName: 's' } } }),
          'p.bicepparam',
        ),
      /'p\.bicepparam': parameter 'pw' is a Key Vault reference \(getSecret\(\)\)/,
    );
    assert.throws(
      () => parametersOf(stdout({ e: { expression: "[externalInputs('x')]" } }), 'p.bicepparam'),
      /parameter 'e' is an expression Resource Manager evaluates at deployment/,
    );
    assert.throws(
      () => parametersOf('{"parameters": {}}', 'p.bicepparam'),
      /is not what `build-params --stdout` prints \(a JSON object with parametersJson\): it has no/,
    );
    assert.throws(() => parametersOf('Bicep CLI version 0.30', 'p.bicepparam'), /is not what/);
  });

  it('reads the .bicepparam as the templateFile: inside the sources folder, no link out', () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-bicepparam-')));
    try {
      const repo = path.join(root, 's');
      fs.mkdirSync(path.join(repo, 'image'), { recursive: true });
      fs.writeFileSync(path.join(repo, 'image', 'main.bicep'), 'param a string\n');
      fs.writeFileSync(path.join(root, 'agent.bicepparam'), "using './s/image/main.bicep'\n");
      fs.symlinkSync(path.join(root, 'agent.bicepparam'), path.join(repo, 'image', 'p.bicepparam'));
      fs.writeFileSync(path.join(repo, 'image', 'main.json'), '{}');
      const read =
        (templateParameters: string, templateFile = 'image/main.bicep') =>
        () =>
          inputs.readTemplateFileInputs(
            new InputReader({
              get: (n) => ({ templateFile, templateParameters })[n],
              secret: () => undefined,
            }),
            { ...PIPELINE, defaultWorkingDirectory: repo },
          );
      // Both before any CLI runs (there is none on this PATH to run).
      assert.throws(
        read('../agent.bicepparam'),
        /Input 'templateParameters': '\.\.\/agent\.bicepparam' is outside/,
      );
      assert.throws(
        read('image/p.bicepparam'),
        /Input 'templateParameters': 'image\/p\.bicepparam' is a symbolic link that points outside/,
      );
      // A name=value line whose value ends so is a value, not a file.
      assert.deepStrictEqual(read('settings=image/p.bicepparam', 'image/main.json')()?.parameters, {
        settings: 'image/p.bicepparam',
      });
      assert.throws(
        read('image/none.bicepparam'),
        /'image\/none\.bicepparam' can't be read \(ENOENT\)/,
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
