import * as assert from 'assert';
import {
  FileContext,
  loadTemplate,
  parseDocument,
} from '../../../../../tasks/common/imagebuilder/template/templateFile/loadTemplate';

const ctx = (parameters: FileContext['parameters'] = {}, identityGiven = true): FileContext => ({
  subscriptionId: 'sub1',
  resourceGroup: 'rg1',
  location: 'westeurope',
  parameters,
  identityGiven,
});
const SOURCE = {
  type: 'PlatformImage',
  publisher: 'Canonical',
  offer: 'ubuntu',
  sku: '22_04-lts',
  version: 'latest',
};
const DIST = [
  {
    type: 'ManagedImage',
    imageId: '/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/images/i',
    location: 'westeurope',
    runOutputName: 'out',
  },
];
const arm = (resource: object, extra: object = {}) => ({
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  ...extra,
  resources: [resource],
});

describe('templateFile: loading and migration', () => {
  it(
    'reads a plain resource, its properties alone, and an ARM template with parameters, ' +
      'defaults and variables',
    () => {
      const plain = loadTemplate(
        {
          type: 'Microsoft.VirtualMachineImages/imageTemplates',
          location: 'westeurope',
          properties: { source: SOURCE, distribute: DIST },
        },
        ctx(),
      );
      assert.strictEqual(plain.shape, 'resource');
      assert.deepStrictEqual(plain.warnings, []);
      assert.strictEqual(
        loadTemplate({ source: SOURCE, distribute: DIST }, ctx()).shape,
        'properties',
      );
      const a = loadTemplate(
        arm(
          {
            type: 'Microsoft.VirtualMachineImages/imageTemplates',
            apiVersion: '2024-02-01',
            name: "[concat('x', utcNow())]",
            location: "[parameters('loc')]",
            properties: {
              source: SOURCE,
              customize: [
                {
                  type: 'Shell',
                  name: 's',
                  inline: ["[format('echo {0}', variables('greeting'))]", '[[literal]'],
                },
              ],
              distribute: [
                {
                  ...DIST[0],
                  imageId: "[resourceId('Microsoft.Compute/images', parameters('img'))]",
                },
              ],
            },
          },
          {
            parameters: {
              loc: { type: 'string', defaultValue: '[resourceGroup().location]' },
              IMG: { type: 'string' },
            },
            variables: { greeting: "[concat('hi-', subscription().subscriptionId)]" },
          },
        ),
        ctx({ img: 'golden' }),
      );
      assert.strictEqual(a.location, 'westeurope');
      assert.deepStrictEqual((a.properties.customize as { inline: string[] }[])[0].inline, [
        'echo hi-sub1',
        '[literal]',
      ]);
      assert.strictEqual(
        (a.properties.distribute as { imageId: string }[])[0].imageId,
        '/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/images/golden',
      );
    },
  );

  it(
    'refuses what it can not evaluate by function name and JSON path, and parameters without ' +
      'a value',
    () => {
      const t = arm({
        type: 'Microsoft.VirtualMachineImages/imageTemplates',
        properties: {
          source: SOURCE,
          customize: [{ type: 'Shell', name: 's', inline: ['a', "[reference('x').y]"] }],
          distribute: DIST,
        },
      });
      assert.throws(
        () => loadTemplate(t, ctx()),
        new RegExp(
          "Input 'templateFile': " +
            'resources\\[0\\]\\.properties\\.customize\\[0\\]\\.inline\\[1\\]: ' +
            "reference\\('x'\\): the task evaluates reference\\(\\) only to a Bicep " +
            "module's outputs",
        ),
      );
      // Setting only the location (which the location input decides), it takes the input's value.
      const onlyLocation = loadTemplate(
        arm(
          {
            type: 'Microsoft.VirtualMachineImages/imageTemplates',
            location: "[parameters('where')]",
            properties: { source: SOURCE, distribute: DIST },
          },
          { parameters: { where: { type: 'string' } } },
        ),
        ctx(),
      );
      assert.strictEqual(onlyLocation.location, 'westeurope');
      assert.ok(onlyLocation.warnings.some((w) => /parameter 'where' has no value/.test(w)));
      const p = arm(
        {
          type: 'Microsoft.VirtualMachineImages/imageTemplates',
          location: "[parameters('where')]",
          properties: {
            source: SOURCE,
            distribute: DIST,
            stagingResourceGroup: "[parameters('where')]",
          },
        },
        { parameters: { where: { type: 'string' } } },
      );
      assert.throws(
        () => loadTemplate(p, ctx()),
        new RegExp(
          "resources\\[0\\]\\.properties\\.stagingResourceGroup: parameter 'where' has no " +
            'value: give it in templateParameters',
        ),
      );
      assert.throws(
        () => loadTemplate(p, ctx({ nowhere: 'x' })),
        /templateParameters gives 'nowhere', which the template does not declare/,
      );
      assert.throws(
        () => loadTemplate({ $schema: 'x/deploymentTemplate.json#', resources: [] }, ctx()),
        /holds 0 Microsoft\.VirtualMachineImages\/imageTemplates resources/,
      );
    },
  );

  it(
    'migrates old shapes with a warning each: truncated type, script key, wrong case, string ' +
      'timeout, aritfactTags, read-only exactVersion',
    () => {
      const r = loadTemplate(
        {
          type: 'Microsoft.VirtualMachineImages',
          apiVersion: '2019-05-01-preview',
          properties: {
            source: { ...SOURCE, exactVersion: '1.2.3' },
            buildTimeoutInMinutes: '80',
            customize: [
              { type: 'shell', name: 'a', script: 'https://x/y.sh' },
              { type: 'PowerShell', name: 'b', ScriptUri: 'https://x/z.ps1' },
            ],
            distribute: [{ ...DIST[0], aritfactTags: { a: 'b' } }],
            VMProfile: { vmSize: 'Standard_D2s_v3' },
          },
        },
        ctx(),
      );
      const c = r.properties.customize as Record<string, unknown>[];
      assert.deepStrictEqual(c[0], { type: 'Shell', name: 'a', scriptUri: 'https://x/y.sh' });
      assert.deepStrictEqual(c[1], { type: 'PowerShell', name: 'b', scriptUri: 'https://x/z.ps1' });
      assert.strictEqual(r.properties.buildTimeoutInMinutes, 80);
      assert.deepStrictEqual(
        (r.properties.distribute as Record<string, unknown>[])[0].artifactTags,
        {
          a: 'b',
        },
      );
      assert.deepStrictEqual(r.properties.vmProfile, { vmSize: 'Standard_D2s_v3' });
      assert.ok(!('exactVersion' in (r.properties.source as object)));
      const text = r.warnings.join('\n');
      for (const w of [
        /type 'Microsoft\.VirtualMachineImages' is read as/,
        /api-version 2019-05-01-preview/,
        /customize\[0\]: 'script' .* sent as 'scriptUri'/,
        /customize\[0\]\.type: 'shell' is sent as 'Shell'/,
        /customize\[1\]\.ScriptUri: sent as 'scriptUri'/,
        /buildTimeoutInMinutes: the string '80'/,
        /'aritfactTags' is sent as 'artifactTags'/,
        /exactVersion: read-only/,
        /VMProfile: sent as 'vmProfile'/,
      ]) {
        assert.match(text, w);
      }
    },
  );

  it(
    'refuses unknown keys, placeholders left, empty run output names and broken ids, naming ' +
      'the path',
    () => {
      const bad = (props: object) => () =>
        loadTemplate({ properties: { source: SOURCE, distribute: DIST, ...props } }, ctx());
      assert.throws(
        bad({ customize: [{ type: 'Shell', name: 'a', inlline: ['x'] }] }),
        /properties\.customize\[0\]\.inlline: is not a property of the image template here/,
      );
      assert.throws(
        bad({ customize: [{ type: 'Ansible', name: 'a' }] }),
        new RegExp(
          "properties\\.customize\\[0\\]\\.type: 'Ansible' is not one of Shell, PowerShell, " +
            'File, WindowsRestart, WindowsUpdate',
        ),
      );
      assert.throws(
        bad({ vmProfile: { vmSize: '<vmSize>' } }),
        /properties\.vmProfile\.vmSize: '<vmSize>' is a placeholder that was not substituted/,
      );
      assert.throws(
        bad({ distribute: [{ ...DIST[0], runOutputName: '' }] }),
        /distribute\[0\]\.runOutputName: '' is not a run output name/,
      );
      assert.throws(
        bad({
          distribute: [
            {
              type: 'SharedImage',
              galleryImageId:
                '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries//images/d',
              runOutputName: 'o',
            },
          ],
        }),
        /galleryImageId: .* is not a resource id/,
      );
      assert.throws(bad({ distribute: [] }), /properties\.distribute: is missing or empty/);
    },
  );

  it('parses JSON (BOM, CRLF) and YAML; syntax errors give line and column', () => {
    assert.deepStrictEqual(parseDocument('\uFEFF{\r\n "a": 1\r\n}', 'templateFile', 't.json'), {
      a: 1,
    });
    assert.deepStrictEqual(
      parseDocument('- type: Shell\n  name: a\n  inline: [echo hi]\n', 'customizersFile', 'c.yml'),
      [{ type: 'Shell', name: 'a', inline: ['echo hi'] }],
    );
    assert.throws(
      () => parseDocument('{\n  "a": [\n    westeurope\n  ]\n}', 'templateFile', 't.json'),
      /t\.json is not valid JSON \(line 3 column 5\)/,
    );
    assert.throws(
      () => parseDocument('a: [', 'customizersFile', 'c.yaml'),
      /c\.yaml is not valid YAML/,
    );
  });
});
