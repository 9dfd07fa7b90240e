import * as assert from 'assert';
import { runTask } from '../../scripts/runner/runner';
import { SIM_IDS } from '../sim';
import { inline, LINUX, runBuildImage, scenario, simulatorFor } from './buildImageFixtures';

/**
 * BuildImage and DistributeToGallery in a classic release (`System.HostType=release`, a
 * pre-deployment approval's setting): versions are named from the primary artifact's build number
 * (`Build.BuildNumber` there), else from the release's name, and provenance names the release.
 */
const SUB = `/subscriptions/${SIM_IDS.subscriptionId}`;
const RG = `${SUB}/resourceGroups/rg-release`;
const IMAGE = `${RG}/providers/Microsoft.Compute/images/img-1`;
const DEFINITION = `${RG}/providers/Microsoft.Compute/galleries/golden/images/win11`;

/** A classic release of definition 5, its primary artifact built as 20261121.3. */
const RELEASE = {
  'System.HostType': 'release',
  'Release.ReleaseId': '12',
  'Release.ReleaseName': 'Release-12',
  'Release.DefinitionId': '5',
  'Release.DefinitionName': 'golden-image-release',
  'Release.EnvironmentName': 'Production',
  'Build.BuildNumber': '20261121.3',
};
const WITHOUT_ARTIFACT = { ...RELEASE, 'Build.BuildNumber': '' };

describe('e2e: classic release pipelines', function () {
  this.timeout(120_000);
  const world = simulatorFor(
    scenario({
      resources: [
        ...(scenario().resources ?? []),
        { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
        {
          id: IMAGE,
          type: 'Microsoft.Compute/images',
          location: 'westeurope',
          properties: {
            hyperVGeneration: 'V2',
            storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
          },
        },
      ],
    }),
  );

  const distribute = (vars: Record<string, string>) =>
    runTask({
      task: 'DistributeToGallery',
      sim: world.sim,
      vars,
      inputs: {
        source: IMAGE,
        galleryResourceGroup: 'rg-release',
        galleryName: 'golden',
        imageDefinition: 'win11',
        versionStrategy: 'buildNumber',
        pollInterval: '500ms',
      },
    });

  it(
    "DistributeToGallery names the version from the primary artifact's build number, else the " +
      "release's name; provenance names the release",
    async () => {
      const r = await distribute(RELEASE);
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.strictEqual(r.outputs.imageVersionId, `${DEFINITION}/versions/2026.1121.3`);
      assert.match(r.stdout, /Version 2026\.1121\.3, from build number 20261121\.3\./);
      const version = r.state.resources.find((x) => x.id === r.outputs.imageVersionId);
      const tags = version?.tags ?? {};
      assert.strictEqual(tags['gip.pipeline'], 'golden-image-release');
      assert.match(tags['gip.runUrl'], /\/simproject\/_releaseProgress\?releaseId=12$/);
      assert.match(tags['gip.definition'], /\/simproject\/_release\?definitionId=5$/);
      assert.strictEqual(tags['gip.job'], 'Production/Image');

      const bare = await distribute(WITHOUT_ARTIFACT);
      assert.strictEqual(bare.result, 'Succeeded', bare.stdout);
      assert.strictEqual(bare.outputs.imageVersionId, `${DEFINITION}/versions/12.0.0`);
    },
  );

  it("BuildImage's buildNumber version in a release comes from the artifact's build", async () => {
    const r = await runBuildImage(
      world.sim,
      { ...LINUX, ...inline('echo release'), versionStrategy: 'buildNumber', keepTemplate: 'true' },
      { vars: RELEASE },
    );
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    assert.match(r.outputs.imageVersionId ?? '', /\/versions\/2026\.1121\.3$/);
    const template = r.state.resources.find((x) => /\/imageTemplates\//i.test(x.id ?? ''));
    assert.match(template?.tags?.['gip.runUrl'] ?? '', /_releaseProgress\?releaseId=12$/);
  });
});
