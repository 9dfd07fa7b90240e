import * as assert from 'assert';
import {
  FileContext,
  loadTemplate,
} from '../../../../../tasks/common/imagebuilder/template/templateFile/loadTemplate';
import {
  CUSTOMIZATIONS_TEMPLATE,
  customizersFor,
  moduleResource,
  SCRIPTS_STORAGE_MODULE,
  seed004Main,
} from '../../../../support/bicepFixtures';

const ctx = (parameters: FileContext['parameters'] = {}): FileContext => ({
  subscriptionId: 'sub1',
  resourceGroup: 'rg1',
  location: 'westeurope',
  parameters,
  identityGiven: true,
});
const SOURCE = {
  type: 'PlatformImage',
  publisher: 'Canonical',
  offer: 'ubuntu',
  sku: '22_04-lts',
  version: 'latest',
};
const GALLERY_IMAGE =
  '/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/galleries/g/images/i';
const TOKEN = 'tok-unit-0001';
const VALUES = { runOutputName: 'out', scriptVersion: '2.4.1', feedToken: TOKEN };
const main = (o: Partial<Parameters<typeof seed004Main>[0]> = {}) =>
  seed004Main({ source: SOURCE, galleryImageId: GALLERY_IMAGE, ...o });
/** seed004Main with its first module's resource changed by `change`. */
const withModule = (change: (m: Record<string, unknown>) => void) => {
  const m = JSON.parse(
    JSON.stringify(
      moduleResource('customizations', CUSTOMIZATIONS_TEMPLATE, {
        scriptVersion: { value: "[parameters('scriptVersion')]" },
        feedToken: { value: "[parameters('feedToken')]" },
      }),
    ),
  ) as Record<string, unknown>;
  change(m);
  return main({ modules: { customizations: m } });
};
const refused = (doc: unknown, re: RegExp) =>
  assert.throws(() => loadTemplate(doc, ctx(VALUES)), re);

describe('templateFile: Bicep modules (outputs evaluated, not deployed)', () => {
  it('gives the image template the outputs of a module, languageVersion 1.0 and 2.0', () => {
    for (const languageVersion of ['1.0', '2.0'] as const) {
      const t = loadTemplate(main({ languageVersion }), ctx(VALUES));
      assert.deepStrictEqual(
        t.properties.customize,
        customizersFor('2.4.1', TOKEN),
        languageVersion,
      );
      // The module's unused output (length(), which the task does not evaluate) is not read.
      assert.deepStrictEqual(t.warnings, [
        "Module 'customizations' is not deployed: the task evaluated its outputs (customizers) " +
          'for the image template.',
      ]);
      // The outer secure parameter's value is masked in the log.
      assert.deepStrictEqual(t.secrets, [TOKEN]);
    }
  });

  it("evaluates the module's parameters in the outer template, its defaults in its own", () => {
    const t = loadTemplate(main(), ctx({ ...VALUES, scriptVersion: '3.0.0' }));
    assert.deepStrictEqual(t.properties.customize, customizersFor('3.0.0', TOKEN));
    const greeted = withModule((m) => {
      (m.properties as { parameters: object }).parameters = {
        scriptVersion: { value: "[concat('v', parameters('runOutputName'))]" },
        greeting: { value: '[resourceGroup().name]' },
        feedToken: { value: 'none' },
      };
    });
    const g = loadTemplate(greeted, ctx(VALUES));
    assert.deepStrictEqual((g.properties.customize as { inline: string[] }[])[1].inline, [
      'echo rg1: tools vout',
      'tools-login --token none',
    ]);
  });

  it('refuses, naming it, a module that deploys resources the image template would need', () => {
    refused(
      main({ modules: { scripts: SCRIPTS_STORAGE_MODULE } }),
      new RegExp(
        "Input 'templateFile': resources\\[1\\]\\.properties\\.customize: module 'scripts' " +
          '\\(resources\\[0\\]\\): properties\\.template\\.resources: it deploys 1 resource ' +
          '\\(Microsoft\\.Storage/storageAccounts\\): the task builds only the image template',
      ),
    );
  });

  it('refuses loops, false conditions, other scopes, links and outer-scope evaluation', () => {
    const cases: [(m: Record<string, unknown>) => void, RegExp][] = [
      [(m) => (m.copy = { name: 'x', count: 2 }), /copy: a module loop can't be evaluated/],
      [(m) => (m.condition = false), /condition: is not true: the module would not be deployed/],
      [(m) => (m.resourceGroup = 'other-rg'), /resourceGroup: a module in another scope/],
      [(m) => (m.subscriptionId = 'sub2'), /subscriptionId: a module in another scope/],
      [
        (m) =>
          ((m.properties as Record<string, unknown>).templateLink = {
            id: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Resources/templateSpecs/t',
          }),
        /properties\.templateLink: a linked template can't be evaluated/,
      ],
      [
        (m) =>
          ((m.properties as Record<string, unknown>).expressionEvaluationOptions = {
            scope: 'outer',
          }),
        /properties\.expressionEvaluationOptions\.scope: is not 'inner'/,
      ],
      [
        (m) =>
          ((m.properties as Record<string, unknown>).parameters = {
            scriptVersion: { reference: { keyVault: { id: 'kv' }, secretName: 's' } },
          }),
        /properties\.parameters\.scriptVersion: has no value \(a Key Vault reference/,
      ],
    ];
    for (const [change, re] of cases)
      refused(
        withModule(change),
        new RegExp(`module 'customizations' \\(resources\\[0\\]\\): ${re.source}`),
      );
  });

  it('refuses reference() to anything but a module of this template, naming it', () => {
    const other = (customize: string) => {
      const t = main() as { resources: { properties: { customize?: string } }[] };
      t.resources[1].properties.customize = customize;
      return t;
    };
    refused(
      other("[reference(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-01-01').x]"),
      new RegExp(
        "reference\\('/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft\\.Storage/" +
          "storageAccounts/st'\\): the task evaluates reference\\(\\) only to a Bicep module's " +
          'outputs \\(a Microsoft\\.Resources/deployments resource of this template\\), which ' +
          'this is not',
      ),
    );
    refused(
      other("[reference('elsewhere').outputs.customizers.value]"),
      /reference\('elsewhere'\): .*this template has no module named 'elsewhere'/,
    );
    refused(
      other(
        "[reference(resourceId('other-rg', 'Microsoft.Resources/deployments', 'customizations'), " +
          "'2022-09-01').outputs.customizers.value]",
      ),
      /in this resource group: this one is in another scope/,
    );
    refused(
      other("[reference('customizations', '2022-09-01', 'Full').outputs]"),
      /the full resource can't be evaluated by the task/,
    );
    refused(
      other("[reference('customizations').outputs.count.value]"),
      /outputs\.count\.value: the ARM function 'length\(\)' can't be evaluated by the task/,
    );
  });

  it('createArray() and createObject(), as Bicep writes literals inside expressions', () => {
    const t = withModule((m) => {
      const template = (m.properties as { template: { outputs: Record<string, unknown> } })
        .template;
      template.outputs.customizers = {
        type: 'array',
        value:
          "[createArray(createObject('type', 'Shell', 'name', 'one', 'inline', " +
          "createArray(format('v{0}', parameters('scriptVersion')))))]",
      };
    });
    assert.deepStrictEqual(loadTemplate(t, ctx(VALUES)).properties.customize, [
      { type: 'Shell', name: 'one', inline: ['v2.4.1'] },
    ]);
  });
});
