import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputDefinition, resolveInputs } from '../../../../scripts/agentEnv';
import { ROOT } from '../../../../scripts/tasks';
import { InputReader } from '../../../../tasks/common/core/inputReader';
import { PipelineInfo } from '../../../../tasks/common/core/pipelineInfo';
import { PIPELINE as HOSTED_PIPELINE } from '../../../support/pipelineInfo';
import {
  FILLED_INPUT_DEFAULTS,
  LEGACY_WINDOWS_UPDATE,
  translateLegacyInputs,
} from '../../../../tasks/common/imagebuilder/inputs/legacyInputs';
import { BuildParams, readTaskParams } from '../../../../tasks/common/imagebuilder/inputs/params';

/**
 * The existing Microsoft AzureImageBuilderTask's inputs, given to BuildImage as the agent gives
 * them (aliases resolved, task.json defaults filled in: scripts/agentEnv.ts resolveInputs), read
 * into BuildImage's params.
 */
const TASK = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'tasks', 'BuildImage', 'task.json'), 'utf8'),
) as {
  inputs: (InputDefinition & { groupName?: string })[];
};
const SUB = '1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-img`;
const DEF = `${RG}/providers/Microsoft.Compute/galleries/gal/images/win11`;
const MANAGED = `${RG}/providers/Microsoft.Compute/images/golden`;
const UAI = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-identity`;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-legacy-'));
fs.mkdirSync(path.join(work, 'wvd', 'images', 'scripts'), { recursive: true });
fs.writeFileSync(
  path.join(work, 'wvd', 'images', 'scripts', 'base-installs.ps1'),
  'Write-Host installing\n',
);

const PIPELINE: PipelineInfo = {
  ...HOSTED_PIPELINE,
  hostedAgent: false,
  defaultWorkingDirectory: work,
};

/** A step's inputs as the task process reads them. */
function agentInputs(step: Record<string, string>): InputReader {
  const resolved = resolveInputs(TASK.inputs, step);
  return new InputReader({ get: (n) => resolved[n] || undefined, secret: () => undefined });
}
const read = (step: Record<string, string>) =>
  readTaskParams(agentInputs(step), PIPELINE) as BuildParams;

/**
 * The input set of the Microsoft docs' README sample (with managedIdentity, which later versions
 * require).
 */
const README_STEP = {
  managedIdentity: UAI,
  imageSource: 'marketplace',
  baseImage: 'MicrosoftWindowsDesktop:windows-11:win11-23h2-ent:windows',
  provisioner: 'powershell',
  windowsUpdateProvisioner: 'true',
  packagePath: 'wvd/images',
  inlineScript: "& 'c:\\buildartifacts\\images\\scripts\\base-installs.ps1'",
  storageAccountName: 'teamartifacts',
  distributeType: 'sig',
  galleryImageId: DEF,
  replicationRegions: 'westeurope,northeurope',
  ibSubscription: 'images-connection',
  ibAzureResourceGroup: 'rg-img',
  ibLocation: 'westeurope',
  vmSize: 'Standard_DS4_v2',
};

describe("the agent's input resolution (the runner's, scripts/agentEnv.ts)", () => {
  it(
    'renames every alias to its input, fills task.json defaults, keeps undeclared inputs, ' +
      'refuses an input given twice',
    () => {
      const r = resolveInputs(TASK.inputs, {
        ibLocation: 'westeurope',
        IMAGESOURCE: 'sig',
        errorHandlingOnCustomizerError: 'abort',
        autoRun: 'true',
      });
      assert.strictEqual(r.location, 'westeurope');
      assert.strictEqual(r.sourceType, 'sig');
      assert.strictEqual(r.onCustomizerError, 'abort');
      assert.strictEqual(r.autoRun, 'true');
      assert.strictEqual(r.ibLocation, undefined);
      assert.strictEqual(r.buildTimeout, '240');
      assert.strictEqual(
        r.scriptSource,
        '',
        'no default: a step that sets only inlineScript runs it',
      );
      assert.strictEqual(r.galleryImageId, '');
      assert.throws(
        () => resolveInputs(TASK.inputs, { location: 'westeurope', ibLocation: 'northeurope' }),
        /Input 'location' is given twice, as 'location' and as 'ibLocation'/,
      );
    },
  );
});

describe("BuildImage: the Microsoft AzureImageBuilderTask's inputs", () => {
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it(
    'every input the Microsoft task reads is declared: renamed ones as aliases, the others ' +
      'in the Migration group',
    () => {
      const names = new Map<string, string>();
      for (const i of TASK.inputs)
        for (const n of [i.name, ...(i.aliases ?? [])]) names.set(n, i.name);
      const renamed: Record<string, string> = {
        ibSubscription: 'azureSubscription',
        ibAzureResourceGroup: 'resourceGroup',
        ibLocation: 'location',
        imageSource: 'sourceType',
        baseImage: 'sourceImage',
        baseImageVersion: 'sourceImageVersion',
        provisioner: 'scriptType',
        replicationRegions: 'targetRegions',
        vnetSubnetId: 'subnetId',
        distributeStorageAccountType: 'storageAccountType',
        distributeVersioningMajor: 'versionMajor',
        optimizeVmBoot: 'optimizeBoot',
        validationInlineScript: 'validationScript',
        continueDistributeOnFailure: 'continueDistributeOnValidationFailure',
        errorHandlingOnCustomizerError: 'onCustomizerError',
        errorHandlingOnValidationError: 'onValidationError',
      };
      for (const [legacy, name] of Object.entries(renamed))
        assert.strictEqual(names.get(legacy), name, legacy);
      const same = [
        'managedIdentity',
        'packagePath',
        'inlineScript',
        'storageAccountName',
        'runElevated',
        'runAsSystem',
        'vmSize',
        'managedImageLocation',
        'osDiskSizeGB',
        'buildVmIdentities',
        'containerInstanceSubnetId',
        'proxyVmSize',
        'sourceValidationOnly',
        'targetRegions',
        'excludeFromLatest',
        'vhdUri',
        'stagingResourceGroup',
        'managedResourceTags',
      ];
      for (const n of same) assert.strictEqual(names.get(n), n, n);
      const translated = [
        'distributeType',
        'galleryImageId',
        'imageIdForDistribute',
        'baseImagePubOfferSku',
        'platformImagePurchasePlan',
        'customImageResourceId',
        'imageVersionId',
        'windowsUpdateProvisioner',
        'buildTimeoutInMinutes',
        'enableValidation',
        'distributeVersioningScheme',
      ];
      for (const n of translated) {
        const input = TASK.inputs.find((i) => i.name === n);
        assert.strictEqual(input?.groupName, 'migration', n);
        assert.strictEqual(
          input?.defaultValue,
          undefined,
          `${n} has no default, so unset reads as unset`,
        );
      }
    },
  );

  it('the defaults it treats as "not set" are task.json\'s', () => {
    for (const [name, value] of Object.entries(FILLED_INPUT_DEFAULTS)) {
      assert.strictEqual(
        String(TASK.inputs.find((i) => i.name === name)?.defaultValue),
        value,
        name,
      );
    }
  });

  it(
    'the README sample builds what that task built: marketplace Windows 11, artifacts + ' +
      'inline PowerShell, its Windows Update, a gallery version in two regions',
    () => {
      const p = read(README_STEP);
      assert.strictEqual(p.location, 'westeurope');
      assert.strictEqual(p.resourceGroup, 'rg-img');
      assert.deepStrictEqual(p.source, {
        kind: 'marketplace',
        publisher: 'MicrosoftWindowsDesktop',
        offer: 'windows-11',
        sku: 'win11-23h2-ent',
        version: 'latest',
        osHint: 'Windows',
      });
      assert.strictEqual(p.customize.packagePath?.folder, path.join(work, 'wvd', 'images'));
      assert.strictEqual(p.customize.packagePath?.storageAccount, 'teamartifacts');
      assert.deepStrictEqual(p.customize.script?.lines, [README_STEP.inlineScript]);
      assert.strictEqual(p.customize.script?.kind, 'PowerShell');
      assert.deepStrictEqual(p.customize.windowsUpdate, {
        searchCriteria: LEGACY_WINDOWS_UPDATE.searchCriteria,
        filters: [...LEGACY_WINDOWS_UPDATE.filters],
        updateLimit: undefined,
      });
      assert.strictEqual(p.distribute.gallery?.definitionId, DEF);
      assert.deepStrictEqual(p.distribute.gallery?.version, { kind: 'next', major: undefined });
      assert.deepStrictEqual(
        p.distribute.gallery?.regions.map((r) => r.region),
        ['westeurope', 'northeurope'],
      );
      assert.strictEqual(p.distribute.managedImage, undefined);
      assert.strictEqual(p.distribute.vhd, undefined);
      assert.strictEqual(p.settings.vmSize, 'Standard_DS4_v2');
      assert.strictEqual(p.settings.buildTimeoutMinutes, 240);
      assert.strictEqual(p.keepTemplate, false);
      assert.deepStrictEqual(p.inputWarnings, []);
    },
  );

  it(
    'a gallery version pinned in galleryImageId (/versions/0.0.$(Build.BuildId), as in the ' +
      'Microsoft docs) is the version built',
    () => {
      const p = read({ ...README_STEP, galleryImageId: `${DEF}/versions/0.0.1001` });
      assert.deepStrictEqual(p.distribute.gallery?.version, {
        kind: 'fixed',
        version: '0.0.1001',
        origin: 'explicit',
      });
      assert.throws(
        () =>
          read({
            ...README_STEP,
            galleryImageId: `${DEF}/versions/0.0.1001`,
            versionStrategy: 'buildNumber',
          }),
        new RegExp(
          "Input 'versionStrategy': is buildNumber but galleryImageDefinitionId pins version " +
            '0\\.0\\.1001',
        ),
      );
    },
  );

  it(
    'distributeType managedImage: imageIdForDistribute and managedImageLocation; the gallery ' +
      'inputs are ignored with a warning, as that task did',
    () => {
      const p = read({
        ...README_STEP,
        distributeType: 'managedImage',
        imageIdForDistribute: MANAGED,
        managedImageLocation: 'northeurope',
      });
      assert.deepStrictEqual(p.distribute.managedImage, { id: MANAGED, location: 'northeurope' });
      assert.strictEqual(p.distribute.gallery, undefined);
      assert.deepStrictEqual(p.inputWarnings, [
        "galleryImageId is ignored: distributeType is 'managedImage'.",
      ]);
      assert.throws(
        () => read({ ...README_STEP, distributeType: 'managedimage' }),
        /Input 'imageIdForDistribute': a value is required when distributeType is managedImage/,
      );
      assert.throws(
        () =>
          read({
            ...README_STEP,
            distributeType: 'managedImage',
            imageIdForDistribute: `${RG}/providers/Microsoft.Compute/disks/d`,
          }),
        /Input 'imageIdForDistribute': .* is not the resource id of a managed image/,
      );
    },
  );

  it(
    'distributeType vhd: a VHD; without vhdUri the template is kept, since its staging group ' +
      'holds the VHD',
    () => {
      const p = read({ ...README_STEP, distributeType: 'vhd' });
      assert.deepStrictEqual(p.distribute.vhd, { uri: undefined });
      assert.strictEqual(p.distribute.gallery, undefined);
      assert.strictEqual(p.keepTemplate, true);
      assert.match(
        p.inputWarnings!.join('\n'),
        /distributeType vhd without vhdUri: .* the template is kept/,
      );
      const uri = 'https://teamartifacts.blob.core.windows.net/vhds/golden.vhd';
      const withUri = read({ ...README_STEP, distributeType: 'VHD', vhdUri: uri });
      assert.deepStrictEqual(withUri.distribute.vhd, { uri });
      assert.strictEqual(withUri.keepTemplate, false);
    },
  );

  it(
    'imageSource chooses the source input: customImageResourceId (managed/managedimage), ' +
      'imageVersionId (sig/gallery), baseImagePubOfferSku over baseImage',
    () => {
      const managed = read({
        ...README_STEP,
        imageSource: 'managedimage',
        customImageResourceId: MANAGED,
        baseImage: '',
      });
      assert.deepStrictEqual(managed.source, { kind: 'managedImage', imageId: MANAGED });
      const version = `${DEF}/versions/1.2.3`;
      const sig = read({
        ...README_STEP,
        imageSource: 'sig',
        imageVersionId: version,
        customImageResourceId: MANAGED,
      });
      assert.deepStrictEqual(sig.source, {
        kind: 'galleryImageVersion',
        definitionId: DEF,
        version: '1.2.3',
      });
      // baseImage was a pick list with a default: for other source types the Microsoft task did not
      // read it.
      assert.deepStrictEqual(sig.inputWarnings, [
        "customImageResourceId is ignored: imageSource is 'sig' (the Microsoft task read it " +
          'only for its own source type).',
        `sourceImage (baseImage) '${README_STEP.baseImage}' is ignored: imageVersionId names ` +
          `the source, as the Microsoft task preferred.`,
      ]);
      const pos = read({
        ...README_STEP,
        baseImagePubOfferSku: 'MicrosoftWindowsDesktop:office-365:win11-23h2-avd-m365',
        platformImagePurchasePlan: 'plan:product:publisher',
      });
      assert.deepStrictEqual(pos.source, {
        kind: 'marketplace',
        publisher: 'MicrosoftWindowsDesktop',
        offer: 'office-365',
        sku: 'win11-23h2-avd-m365',
        version: 'latest',
        osHint: undefined,
        plan: { name: 'plan', product: 'product', publisher: 'publisher' },
      });
      const placeholders = read({
        ...README_STEP,
        baseImagePubOfferSku: 'Publisher:Offer:Sku',
        platformImagePurchasePlan: 'PlanName:PlanProduct:PlanPublisher',
      });
      assert.strictEqual(
        placeholders.source?.kind === 'marketplace' && placeholders.source.sku,
        'win11-23h2-ent',
      );
      assert.deepStrictEqual(placeholders.inputWarnings, []);
      assert.throws(
        () => read({ ...README_STEP, baseImagePubOfferSku: 'MicrosoftWindowsDesktop:office-365' }),
        new RegExp(
          "Input 'baseImagePubOfferSku': 'MicrosoftWindowsDesktop:office-365' is not " +
            'a marketplace image URN',
        ),
      );
      assert.throws(
        () =>
          read({
            ...README_STEP,
            imageSource: '',
            baseImage: '',
            customImageResourceId: MANAGED,
            imageVersionId: version,
          }),
        /Input 'customImageResourceId': and imageVersionId both name the source image/,
      );
    },
  );

  it(
    "a legacy input and this task's input for the same thing that disagree are refused, " +
      'naming both',
    () => {
      for (const [extra, pattern] of [
        [
          { imageSource: 'managed', customImageResourceId: MANAGED, baseImage: `${MANAGED}-2` },
          new RegExp(
            "Input 'customImageResourceId': '.*golden' and sourceImage '.*golden-2' " +
              'both name the source image and disagree',
          ),
        ],
        [
          { galleryImageDefinitionId: `${DEF}-2` },
          new RegExp(
            "Input 'galleryImageId': '.*win11' and galleryImageDefinitionId '.*win11-2' " +
              'both give the gallery image definition and disagree',
          ),
        ],
        [
          {
            distributeType: 'managedImage',
            imageIdForDistribute: MANAGED,
            managedImageId: `${MANAGED}-2`,
          },
          new RegExp(
            "Input 'imageIdForDistribute': .* and managedImageId .* both give the managed " +
              'image to create and disagree',
          ),
        ],
        [
          { buildTimeoutInMinutes: '90', buildTimeout: '2h' },
          new RegExp(
            "Input 'buildTimeoutInMinutes': '90' and buildTimeout '2h' both give the " +
              'build timeout and disagree',
          ),
        ],
        [
          { distributeVersioningScheme: 'Latest', versionStrategy: 'buildNumber' },
          new RegExp(
            "Input 'distributeVersioningScheme': 'Latest' and versionStrategy 'buildNumber' " +
              'both give how the gallery version is chosen',
          ),
        ],
        [
          { platformImagePurchasePlan: 'a:b:c', sourcePlan: 'x:y:z' },
          new RegExp(
            "Input 'platformImagePurchasePlan': 'a:b:c' and sourcePlan 'x:y:z' both " +
              'give the purchase plan and disagree',
          ),
        ],
        [
          { distributeVersioningScheme: 'Source' },
          /Input 'distributeVersioningScheme': 'Source' .* is not supported by this task/,
        ],
        [
          { distributeType: 'acg' },
          new RegExp(
            "Input 'distributeType': 'acg' is not a distribution type\\. Expected sig, " +
              'managedImage or vhd',
          ),
        ],
        [
          { buildTimeoutInMinutes: '2h' },
          /Input 'buildTimeoutInMinutes': '2h' is not a whole number of minutes from 0 to 960/,
        ],
      ] as [Record<string, string>, RegExp][]) {
        assert.throws(() => read({ ...README_STEP, ...extra }), pattern, JSON.stringify(extra));
      }
      // Equal values, or a value at this task's default, are no conflict.
      assert.strictEqual(
        read({ ...README_STEP, buildTimeoutInMinutes: '120', buildTimeout: '2h' }).settings
          .buildTimeoutMinutes,
        120,
      );
      assert.strictEqual(
        read({ ...README_STEP, buildTimeoutInMinutes: '120' }).settings.buildTimeoutMinutes,
        120,
      );
      assert.strictEqual(
        read({ ...README_STEP, buildTimeoutInMinutes: '0' }).settings.buildTimeoutMinutes,
        240,
      );
      assert.strictEqual(
        read({
          ...README_STEP,
          galleryImageDefinitionId: DEF.toUpperCase(),
        }).distribute.gallery?.definitionId.toLowerCase(),
        DEF.toLowerCase(),
      );
    },
  );

  it(
    'what that task ignored is ignored with a warning: Windows Update and elevation with ' +
      'shell, runAsSystem without runElevated, validation inputs with enableValidation false',
    () => {
      const shell = read({
        ...README_STEP,
        provisioner: 'shell',
        baseImage: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:linux',
        runElevated: 'true',
        runAsSystem: 'true',
      });
      assert.strictEqual(shell.customize.windowsUpdate, undefined);
      assert.deepStrictEqual(
        [
          shell.customize.script?.kind,
          shell.customize.script?.runElevated,
          shell.customize.script?.runAsSystem,
        ],
        ['Shell', false, false],
      );
      assert.deepStrictEqual(shell.inputWarnings, [
        'windowsUpdateProvisioner is ignored: the provisioner is shell (the Microsoft task ' +
          'ran Windows Update with powershell only).',
        'runElevated is ignored: the provisioner is shell.',
        'runAsSystem is ignored: the provisioner is shell.',
      ]);
      const system = read({ ...README_STEP, runAsSystem: 'true' });
      assert.strictEqual(system.customize.script?.runAsSystem, false);
      assert.deepStrictEqual(system.inputWarnings, [
        'runAsSystem is ignored: runElevated is not set.',
      ]);
      // Outside a Microsoft-task step (no distributeType) this task's own rule holds.
      const { galleryImageId, ...step } = README_STEP;
      const own = Object.fromEntries(
        Object.entries(step).filter(([name]) => name !== 'distributeType'),
      );
      assert.throws(
        () => read({ ...own, galleryImageDefinitionId: galleryImageId, runAsSystem: 'true' }),
        /Input 'runAsSystem': runs the script as SYSTEM, which Image Builder allows only elevated/,
      );
      const noValidation = read({
        ...README_STEP,
        enableValidation: 'false',
        validationInlineScript: 'Write-Host ok',
        continueDistributeOnFailure: 'true',
      });
      assert.deepStrictEqual(noValidation.settings.validation, {
        script: undefined,
        sourceValidationOnly: false,
        continueOnFailure: false,
      });
      const validation = read({
        ...README_STEP,
        enableValidation: 'true',
        validationInlineScript: 'Write-Host ok',
        continueDistributeOnFailure: 'true',
      });
      assert.deepStrictEqual(validation.settings.validation, {
        script: ['Write-Host ok'],
        sourceValidationOnly: false,
        continueOnFailure: true,
      });
    },
  );

  it(
    "the patched task's renamed settings: subnet, versioning, storage type, boot " +
      'optimisation, error handling, tags as JSON',
    () => {
      const subnet = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/build`;
      const p = read({
        ...README_STEP,
        vnetSubnetId: subnet,
        proxyVmSize: 'Standard_A1_v2',
        distributeVersioningScheme: 'latest',
        distributeVersioningMajor: '2',
        distributeStorageAccountType: 'Standard_ZRS',
        optimizeVmBoot: 'true',
        errorHandlingOnCustomizerError: 'abort',
        errorHandlingOnValidationError: 'cleanup',
        managedResourceTags: '{"costCenter": "42", "owner": "images"}',
        osDiskSizeGB: '0',
        excludeFromLatest: 'true',
      });
      assert.strictEqual(p.settings.subnetId, subnet);
      assert.strictEqual(p.settings.proxyVmSize, 'Standard_A1_v2');
      assert.deepStrictEqual(p.distribute.gallery?.version, { kind: 'next', major: 2 });
      assert.strictEqual(p.distribute.gallery?.defaults.storageAccountType, 'Standard_ZRS');
      assert.strictEqual(p.distribute.gallery?.excludeFromLatest, true);
      assert.strictEqual(p.settings.optimizeBoot, true);
      assert.strictEqual(p.settings.onCustomizerError, 'abort');
      assert.strictEqual(p.settings.onValidationError, 'cleanup');
      assert.deepStrictEqual(p.settings.managedResourceTags, { costCenter: '42', owner: 'images' });
      assert.throws(
        () => read({ ...README_STEP, managedResourceTags: '{"a": 1}' }),
        /Input 'managedResourceTags': the tag 'a' has no text value/,
      );
      assert.throws(
        () => read({ ...README_STEP, managedResourceTags: '{"a": ' }),
        /Input 'managedResourceTags': is not valid JSON/,
      );
      assert.deepStrictEqual(
        read({ ...README_STEP, managedResourceTags: 'a=1\nb=2' }).settings.managedResourceTags,
        { a: '1', b: '2' },
      );
    },
  );

  it('translation alone: nothing to translate in a step written for this task', () => {
    const t = translateLegacyInputs(
      agentInputs({
        location: 'westeurope',
        resourceGroup: 'rg-img',
        sourceImage: 'a:b:c',
        galleryImageDefinitionId: DEF,
      }),
    );
    assert.deepStrictEqual([...t.values], []);
    assert.deepStrictEqual(t.warnings, []);
  });
});
