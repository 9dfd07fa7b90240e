import * as assert from 'assert';
import { InputReader } from '../../../../tasks/common/core/inputReader';
import { PipelineInfo } from '../../../../tasks/common/core/pipelineInfo';
import { templateName } from '../../../../tasks/common/imagebuilder/template/naming';
import { readBuildParams } from '../../../../tasks/common/imagebuilder/inputs/params';
import { parseMarketplaceUrn } from '../../../../tasks/common/imagebuilder/inputs/sourceRef';
import { composeTemplate, withTemplateName } from '../../../../tasks/common/imagebuilder/template/compose';

const SUB = '00000000-0000-0000-0000-000000000001';
const DEF =
  `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/gal/images` +
  `/win11`;
const UAI =
  `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity` +
  `/userAssignedIdentities/aib`;

const pipeline: PipelineInfo = {
  collectionUri: 'https://dev.azure.com/org/',
  teamProject: 'p',
  definitionName: 'golden image',
  definitionId: '7',
  buildId: '42',
  buildNumber: '20261121.3',
  stageName: 'Build',
  jobName: 'Image',
  jobAttempt: 1,
  repositoryName: 'repo',
  repositoryUri: 'https://dev.azure.com/org/p/_git/repo',
  sourceVersion: 'abc',
  runUrl: 'https://dev.azure.com/org/p/_build/results?buildId=42',
  hostType: 'build',
  hostedAgent: true,
  defaultWorkingDirectory: '/src',
};

const reader = (values: Record<string, string>) =>
  new InputReader({ get: (n) => values[n], secret: () => undefined });
const BASE = {
  location: 'West Europe',
  resourceGroup: 'rg',
  managedIdentity: 'aib',
  sourceImage: 'MicrosoftWindowsDesktop:windows-11:win11-24h2-ent',
  galleryImageDefinitionId: DEF,
};
const SOURCE = {
  templateSource: { type: 'PlatformImage', publisher: 'p', offer: 'o', sku: 's', version: '1.2.3' },
  osType: 'Windows' as const,
  description: 'p:o:s:1.2.3',
};

describe('imagebuilder: inputs to template', () => {
  it(
    'composes script, restart and Windows Update last, and a gallery target with AIB ' +
      'versioning and the build region',
    () => {
      const params = readBuildParams(
        reader({
          ...BASE,
          inlineScript: 'Write-Host hi\r\nexit 0\n',
          runElevated: 'true',
          runAsSystem: 'true',
          validExitCodes: '0, 3010',
          restart: 'true',
          restartTimeout: '10m',
          windowsUpdate: 'true',
          windowsUpdateFilters: "exclude:$_.Title -like '*Preview*'\ninclude:$true",
          windowsUpdateLimit: '40',
          targetRegions: 'northeurope=2:Standard_ZRS',
          excludeFromLatest: 'true',
          vmSize: 'Standard_D4s_v5',
          buildTimeout: '2h',
          optimizeBoot: 'true',
        }),
        pipeline,
      );
      assert.strictEqual(params.location, 'westeurope');
      const doc = composeTemplate(params, SOURCE, UAI, SUB, pipeline);
      assert.deepStrictEqual(
        doc.properties.customize.map((c) => c.type),
        ['PowerShell', 'WindowsRestart', 'WindowsUpdate'],
      );
      assert.deepStrictEqual(doc.properties.customize[0], {
        type: 'PowerShell',
        name: 'inline-script',
        inline: ['Write-Host hi', 'exit 0'],
        runElevated: true,
        runAsSystem: true,
        validExitCodes: [0, 3010],
      });
      assert.deepStrictEqual(doc.properties.customize[2], {
        type: 'WindowsUpdate',
        name: 'windows-update',
        filters: ["exclude:$_.Title -like '*Preview*'", 'include:$true'],
        updateLimit: 40,
      });
      const [d] = doc.properties.distribute;
      assert.strictEqual(d.galleryImageId, DEF);
      assert.deepStrictEqual(d.versioning, { scheme: 'Latest' });
      assert.deepStrictEqual(d.targetRegions, [
        { name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' },
        { name: 'northeurope', replicaCount: 2, storageAccountType: 'Standard_ZRS' },
      ]);
      assert.strictEqual(d.excludeFromLatest, true);
      assert.strictEqual(doc.properties.buildTimeoutInMinutes, 120);
      assert.deepStrictEqual(doc.properties.optimize, { vmBoot: { state: 'Enabled' } });
      assert.strictEqual((d.artifactTags as Record<string, string>)['gip.job'], 'Build/Image');
    },
  );

  it(
    'the name is the same for another attempt of the job and differs with the content or the ' +
      'job',
    () => {
      const params = readBuildParams(reader({ ...BASE, inlineScript: 'Write-Host hi' }), pipeline);
      const doc = composeTemplate(params, SOURCE, UAI, SUB, pipeline);
      const name = templateName(pipeline, doc);
      assert.match(name, /^gip-golden-image-42-[0-9a-f]{10}$/);
      assert.strictEqual(
        templateName(
          { ...pipeline, jobAttempt: 2 },
          composeTemplate(params, SOURCE, UAI, SUB, { ...pipeline, jobAttempt: 2 }),
        ),
        name,
      );
      const other = readBuildParams(reader({ ...BASE, inlineScript: 'Write-Host bye' }), pipeline);
      assert.notStrictEqual(
        templateName(pipeline, composeTemplate(other, SOURCE, UAI, SUB, pipeline)),
        name,
      );
      assert.notStrictEqual(templateName({ ...pipeline, jobName: 'Image2' }, doc), name);
      assert.strictEqual(withTemplateName(doc, name).tags['gip.template'], name);
    },
  );

  it('version from the build number, explicit version, managed image and VHD together', () => {
    const params = readBuildParams(
      reader({
        ...BASE,
        versionStrategy: 'buildNumber',
        managedImageId:
          `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute` + `/images/img`,
        vhd: 'true',
      }),
      pipeline,
    );
    const doc = composeTemplate(params, SOURCE, UAI, SUB, pipeline);
    assert.deepStrictEqual(
      doc.properties.distribute.map((d) => d.type),
      ['SharedImage', 'ManagedImage', 'VHD'],
    );
    assert.strictEqual(doc.properties.distribute[0].galleryImageId, `${DEF}/versions/2026.1121.3`);
    const explicit = readBuildParams(
      reader({ ...BASE, galleryImageDefinitionId: `${DEF}/versions/1.2.0` }),
      pipeline,
    );
    assert.deepStrictEqual(explicit.distribute.gallery?.version, {
      kind: 'fixed',
      version: '1.2.0',
      origin: 'explicit',
    });
  });

  it("marketplace URNs: with a version, with the existing task's OS form, and refusals", () => {
    assert.deepStrictEqual(parseMarketplaceUrn('Canonical:ubuntu:22_04-lts:1.2.3', 'latest'), {
      kind: 'marketplace',
      publisher: 'Canonical',
      offer: 'ubuntu',
      sku: '22_04-lts',
      version: '1.2.3',
      osHint: undefined,
    });
    assert.strictEqual(
      parseMarketplaceUrn(
        'MicrosoftWindowsServer:WindowsServer:2022-datacenter:windows',
        '20348.1.2',
      ).version,
      '20348.1.2',
    );
    assert.strictEqual(
      parseMarketplaceUrn('MicrosoftWindowsServer:WindowsServer:2022-datacenter:windows').osHint,
      'Windows',
    );
    assert.throws(
      () => parseMarketplaceUrn('a:b:c:1.2.3', '4.5.6'),
      /give the version in one place/,
    );
    assert.throws(() => parseMarketplaceUrn('a:b:c:new'), /not a marketplace image version/);
  });

  it('bad input is refused naming the input', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { ...BASE, managedIdentity: 'a b' },
        /Input 'managedIdentity': 'a b' is not an identity name/,
      ],
      [{ ...BASE, inlineScript: 'x', runAsSystem: 'true' }, /Input 'runAsSystem'/],
      [
        { ...BASE, galleryImageDefinitionId: '' },
        /Input 'galleryImageDefinitionId': no distribution target is set/,
      ],
      [
        { ...BASE, versionStrategy: 'explicit' },
        /Input 'galleryImageVersion': a value is required/,
      ],
      [
        { ...BASE, galleryImageVersion: '1.02.0', versionStrategy: 'explicit' },
        /Input 'galleryImageVersion': '1.02.0' has a leading zero/,
      ],
      [
        { ...BASE, proxyVmSize: 'Standard_A1_v2' },
        /Input 'proxyVmSize': applies to private builds only/,
      ],
      [
        { ...BASE, sourceType: 'sig' },
        /Input 'sourceImage': .* is not the resource id of a gallery image version/,
      ],
      [
        { ...BASE, scriptSource: 'file', scriptPath: 'missing.ps1' },
        /Input 'scriptPath': 'missing.ps1' can't be read \(ENOENT\)/,
      ],
    ];
    for (const [values, pattern] of cases)
      assert.throws(() => readBuildParams(reader(values), pipeline), pattern);
  });
});
