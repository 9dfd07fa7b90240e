import * as assert from 'assert';
import { readBuildParams } from '../../../../tasks/common/imagebuilder/inputs/params';
import { composeTemplate } from '../../../../tasks/common/imagebuilder/template/compose';
import { BUILD_INPUTS, compose, DEFINITION, outline, PIPELINE, reader, rg, UAI } from '../support';

describe('imagebuilder: the template composed', () => {
  it(
    'composes script, restart and Windows Update last, and a gallery target with AIB ' +
      'versioning and the build region',
    () => {
      const params = readBuildParams(
        reader({
          ...BUILD_INPUTS,
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
        PIPELINE,
      );
      assert.strictEqual(params.location, 'westeurope');
      const { doc } = compose(params);
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
      assert.strictEqual(d.galleryImageId, DEFINITION);
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

  it('version from the build number, explicit version, managed image and VHD together', () => {
    const params = readBuildParams(
      reader({
        ...BUILD_INPUTS,
        versionStrategy: 'buildNumber',
        managedImageId: `${rg('rg')}/providers/Microsoft.Compute/images/img`,
        vhd: 'true',
      }),
      PIPELINE,
    );
    const { doc } = compose(params);
    assert.deepStrictEqual(
      doc.properties.distribute.map((d) => d.type),
      ['SharedImage', 'ManagedImage', 'VHD'],
    );
    assert.strictEqual(
      doc.properties.distribute[0].galleryImageId,
      `${DEFINITION}/versions/2026.1121.3`,
    );
    const explicit = readBuildParams(
      reader({ ...BUILD_INPUTS, galleryImageDefinitionId: `${DEFINITION}/versions/1.2.0` }),
      PIPELINE,
    );
    assert.deepStrictEqual(explicit.distribute.gallery?.version, {
      kind: 'fixed',
      version: '1.2.0',
      origin: 'explicit',
    });
  });

  it(
    "the customisers right after the source, a template file's uploaded validators back in its " +
      'validate, the uploads named in the tags, the name in the tags and the targets',
    () => {
      const validate = { continueDistributeOnFailure: true, inVMValidations: [] };
      const validator = {
        type: 'File',
        name: 'c',
        sourceUri: 'https://x/files/c',
        destination: '/c',
      };
      const { name, doc } = composeTemplate({
        outline: outline({
          distribute: [{ type: 'VHD', runOutputName: 'vhd' }],
          validate,
          buildTimeoutInMinutes: 60,
        }),
        identityId: UAI,
        customize: [{ type: 'Shell', name: 'a', inline: ['true'] }],
        inVMValidations: [validator],
        uploadTags: { 'gip.files': 'https://x/files/' },
        pipeline: PIPELINE,
      });
      assert.deepStrictEqual(Object.keys(doc.properties), [
        'source',
        'customize',
        'distribute',
        'validate',
        'buildTimeoutInMinutes',
      ]);
      assert.deepStrictEqual(doc.properties.validate, {
        continueDistributeOnFailure: true,
        inVMValidations: [validator],
      });
      assert.deepStrictEqual(doc.identity.userAssignedIdentities, { [UAI]: {} });
      assert.deepStrictEqual(doc.tags, { 'gip.files': 'https://x/files/', 'gip.template': name });
      assert.deepStrictEqual(doc.properties.distribute[0].artifactTags, { 'gip.template': name });
    },
  );
});
