import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { baseResources, GALLERY, IMAGE_LINUX, RG, SUB, UAI } from '../sim/domain/support';
import {
  COMMON,
  LINUX_URN,
  runBuildImage,
  scenario,
  simulatorFor,
  templates,
  UBUNTU_SOURCE,
  writesSince,
} from './buildImageFixtures';
import { printedOnce, runsOf } from './buildLog';

/**
 * The 19 image templates of ../shared/corpus/aib-templates (real files people run), each given to
 * BuildImage as `templateFile` through the runner against the simulator, after the placeholder
 * substitutions their own instructions (sed steps, parameter files) make — written out below. Each
 * must build (publish, no template left) or be refused before any write with a message naming the
 * property or expression at fault; the reasons are printed.
 */
const CORPUS = path.resolve(__dirname, '../../../../shared/corpus/aib-templates');
const LINUX_GEN1 = `${GALLERY}/images/ubuntu-gen1`;
const WIN_GEN1 = `${GALLERY}/images/win-gen1`;
const SRC_IMAGE = `${RG}/providers/Microsoft.Compute/images/src-image`;
const SIG_VERSION = `${IMAGE_LINUX}/versions/0.0.1`;
const SUBNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/build`;

interface Case {
  file: string;
  /**
   * The image definition <imageDefName> etc. stand for (its generation and OS match the source).
   */
  definition?: string;
  parameters?: Record<string, string>;
  /** Extra substitutions: the author's concrete ids mapped onto the simulator's. */
  replace?: [string, string][];
  /** undefined: must build. Otherwise the refusal must match. */
  refused?: RegExp;
}

const CASES: Case[] = [
  {
    file:
      'Azure__azvmimagebuilder/quickquickstarts/0_Creating_a_Custom_Linux_Managed_Image' +
      '/helloImageTemplateLinux.json',
  },
  {
    file:
      'Azure__azvmimagebuilder/quickquickstarts/0_Creating_a_Custom_Windows_Managed_Image' +
      '/helloImageTemplateWin.json',
  },
  {
    file:
      'Azure__azvmimagebuilder/quickquickstarts' +
      '/1_Creating_a_Custom_Linux_Shared_Image_Gallery_Image/helloImageTemplateforSIG.json',
    definition: IMAGE_LINUX,
  },
  {
    file:
      'Azure__azvmimagebuilder/quickquickstarts' +
      '/1_Creating_a_Custom_Win_Shared_Image_Gallery_Image/armTemplateWinSIG.json',
    definition: WIN_GEN1,
    parameters: {
      imageTemplateName: 'helloImageTemplateforWinSIG',
      'api-version': '2020-02-14',
    },
  },
  {
    file:
      'Azure__azvmimagebuilder/quickquickstarts' +
      '/1a_Creating_a_Custom_Linux_Image_on_Existing_VNET/existingVNETLinux.json',
  },
  {
    file:
      'Azure__azvmimagebuilder/quickquickstarts' +
      '/2_Creating_a_Custom_Linux_Shared_Image_Gallery_Image_from_SIG' +
      '/helloImageTemplateforSIGfromSIG.json',
    definition: IMAGE_LINUX,
  },
  {
    file:
      'Azure__azvmimagebuilder/quickquickstarts' +
      '/3_Customize_a_Managed_Image_and_Import_into_SIG' +
      '/helloImageTemplateforReCustomization.json',
    definition: LINUX_GEN1,
  },
  {
    file:
      'Azure__azvmimagebuilder/quickquickstarts/4_Creating_a_Custom_Linux_Image_to_VHD' +
      '/helloImageTemplateVHD.json',
  },
  {
    file:
      'Azure__azvmimagebuilder/quickquickstarts' +
      '/9_Setting_up_a_Trigger_with_a_Custom_Linux_Image/helloImageTemplate.json',
    definition: LINUX_GEN1,
  },
  {
    file: 'Azure__azvmimagebuilder/solutions/4_Using_ENV_Variables/devOpsEnvTemplate.json',
    parameters: {
      imageTemplateName: 'devOpsEnv',
      // Its managed image's location too, which no input decides: still given.
      svcLocation: 'westeurope',
      managedImageResGroupId: `${RG}/providers/Microsoft.Compute/images/`,
      managedImageName: 'devops-env',
      packagesToInstall: 'nginx',
      targetOS: 'ubuntu',
    },
  },
  // Pinned to SLES 15 version 2019.03.30, which the marketplace no longer offers (nor does the
  // simulator's catalog).
  {
    file:
      'danielsollondon__azvmimagebuilder/testingArea/suse' +
      '/0_Creating_a_Custom_SLES_Managed_Image/SLESImageTemplateLinux.json',
    refused: new RegExp(
      'properties\\.source: the marketplace image SUSE:SLES:15:2019\\.03\\.30 is not offered ' +
        'in westeurope',
    ),
  },
  {
    file: 'danielsollondon__azvmimagebuilder/armTemplates/azplatform_image_deploy_sigmdi.json',
    parameters: {
      imagetemplatename: 'sigmdi',
      'api-version': '2019-05-01-preview',
      publisher: 'Canonical',
      offer: '0001-com-ubuntu-server-jammy',
      sku: '22_04-lts-gen2',
      version: 'latest',
      customizestepname: 'customize',
      customizescriptpath:
        'https://raw.githubusercontent.com/danielsollondon/azvmimagebuilder/master' +
        '/quickquickstarts/customizeScript.sh',
      galleryImageId: `${GALLERY}/images/`,
      sharedgalimagename: 'ubuntu',
      managedImageResGroupId: `${RG}/providers/Microsoft.Compute/images/`,
      managedimagename: 'sigmdi-mdi',
      destinationregion: 'westeurope',
    },
  },
  {
    file: 'shuubhh__group3poc/image-template.json',
    replace: [
      [
        '/subscriptions/7c58d880-5fa8-46e0-809e-31e1bb700d40/resourceGroups/finalpocgroup' +
          '/providers/Microsoft.Compute/galleries/gal1/images/vmdef1',
        IMAGE_LINUX,
      ],
      [
        '/subscriptions/7c58d880-5fa8-46e0-809e-31e1bb700d40/resourcegroups/finalpocgroup' +
          '/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi001',
        UAI,
      ],
      ['/versions/0.0.0', '/versions/0.0.1'],
    ],
  },
  {
    file: 'krwittmer__azure-devops-azure-image-builder/imageTemplateWithDeploy.json',
    definition: LINUX_GEN1,
  },
  {
    file: 'mspnp__aks-jumpbox-imagebuilder/azuredeploy.json',
    parameters: {
      buildInVnetResourceGroupName: 'rg-img',
      buildInVnetName: 'vnet',
      buildInVnetSubnetName: 'build',
      location: 'westeurope',
      imageBuilderNetworkingRoleGuid: '4d97b98b-1d4f-4787-a291-c67834d212e7',
      imageBuilderImageCreationRoleGuid: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
      imageDestinationResourceGroupName: 'rg-img',
      imageName: 'aks-jumpbox',
    },
  },
  {
    file: 'bjerrecs__aibTemplates/nncda-2503-Template.json',
    parameters: {
      imageTemplateName: 'nncda',
      'api-version': '2020-02-14',
    },
    refused:
      /galleryImageId: '.*galleries\/\/images\/nncda-2503' is not a resource id \(an empty segment/,
  },
  {
    file: 'Azure__avdaccelerator/workload/workshop/Azure Image Builder/armTemplateWinSIG.json',
    refused: /is not valid JSON \(line 58 column 15\)/,
  },
  {
    file: 'Azure__avdaccelerator/avm/1.0.0/res/virtual-machine-images/image-template/main.json',
    refused: /resources\.imageTemplate\.properties\.copy: ARM copy loops/,
  },
  {
    file: 'Azure__azure-quickstart-templates/demos/imagebuilder-windowsbaseline/azuredeploy.json',
    refused: /the ARM function '(deployment|uri)\(\)' can't be evaluated by the task/,
  },
];

/**
 * The quickstarts' placeholders, as their sed steps fill them; names that must be unique get the
 * case's index.
 */
function substitute(text: string, i: number, c: Case): string {
  const def = c.definition ?? IMAGE_LINUX;
  const defName = def.split('/').pop()!;
  const values: Record<string, string> = {
    '<subscriptionID>': SUB,
    '<subscriptionId>': SUB,
    '<rgName>': 'rg-img',
    '<identityRg>': 'rg-img',
    '<galleryRg>': 'rg-img',
    '<vnetRgName>': 'rg-img',
    '<stagingRg>': `rg-staging-${i}`,
    '<region>': 'westeurope',
    '<region1>': 'westeurope',
    '<region2>': 'northeurope',
    '<imgBuilderId>': UAI,
    '<identityName>': 'aib-identity',
    '<runOutputName>': `out${i}`,
    '<imageName>': `img-${i}`,
    '<srcImageName>': 'src-image',
    '<sharedImageGalName>': 'gal',
    '<acgName>': 'gal',
    '<galleryName>': 'gal',
    '<imageDefName>': defName,
    '<imageDefinitionName>': defName,
    '<vnetName>': 'vnet',
    '<subnetName>': 'build',
    '<sigDefImgVersionId>': SIG_VERSION,
    '<skuName>': 'win10-22h2-avd',
    '<machinesku>': 'Standard_D2s_v3',
    PLACEHOLDER_VERSION: `1.0.${i}`,
  };
  let out = text;
  for (const [from, to] of [...Object.entries(values), ...(c.replace ?? [])])
    out = out.split(from).join(to);
  return out;
}

describe('e2e: BuildImage template files (corpus)', function () {
  this.timeout(120_000);
  const world = simulatorFor(
    scenario({
      timeScale: 0.0005,
      resources: [
        ...baseResources(),
        {
          id: LINUX_GEN1,
          type: 'Microsoft.Compute/galleries/images',
          location: 'westeurope',
          properties: {
            osType: 'Linux',
            osState: 'Generalized',
            hyperVGeneration: 'V1',
            identifier: { publisher: 'contoso', offer: 'ubuntu', sku: 'gen1' },
          },
        },
        {
          id: WIN_GEN1,
          type: 'Microsoft.Compute/galleries/images',
          location: 'westeurope',
          properties: {
            osType: 'Windows',
            osState: 'Generalized',
            hyperVGeneration: 'V1',
            identifier: { publisher: 'contoso', offer: 'win', sku: 'gen1' },
          },
        },
        {
          id: SIG_VERSION,
          type: 'Microsoft.Compute/galleries/images/versions',
          location: 'westeurope',
          properties: { publishingProfile: { targetRegions: [{ name: 'westeurope' }] } },
        },
        {
          id: SRC_IMAGE,
          type: 'Microsoft.Compute/images',
          location: 'westeurope',
          properties: {
            hyperVGeneration: 'V1',
            storageProfile: { osDisk: { osType: 'Linux', osState: 'Generalized' } },
          },
        },
        {
          id: SUBNET.replace(/\/subnets\/.*$/, ''),
          type: 'Microsoft.Network/virtualNetworks',
          location: 'westeurope',
          properties: {
            addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
            subnets: [{ name: 'build', properties: { addressPrefix: '10.0.0.0/24' } }],
          },
        },
      ],
    }),
  );
  let work: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-corpus-'));
  });
  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Builds fast: the corpus is 19 builds. */
  const FAST = { ...COMMON, pollInterval: '100ms' };

  it(
    'each of the 19 templates builds, or is refused before any write naming the property or ' +
      'expression',
    async () => {
      assert.strictEqual(CASES.length, 19);
      const lines: string[] = [];
      let built = 0;
      let refused = 0;
      const problems: string[] = [];
      /**
       * Linux builds from an ARM template file that published a gallery version (issue 4's first
       * "Done when").
       */
      const linuxArmGallery: string[] = [];
      for (const [i, c] of CASES.entries()) {
        const text = substitute(fs.readFileSync(path.join(CORPUS, c.file), 'utf8'), i, c);
        const dir = path.join(work, String(i));
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, path.basename(c.file)), text);
        const before = world.sim.state().requests.length;
        const inputs: Record<string, string> = {
          ...FAST,
          templateFile: path.basename(c.file),
          ...(c.parameters ? { templateParameters: JSON.stringify(c.parameters) } : {}),
        };
        const r = await runBuildImage(world.sim, inputs, { workdir: dir });
        const name = c.file;
        if (r.result === 'Succeeded') {
          built++;
          lines.push(`  built    ${name}`);
          if (c.refused) problems.push(`${name}: built, but should be refused (${c.refused})`);
          // Its own template is gone, unless it wrote a VHD into the staging group (kept, with a
          // warning, for the VHD's sake).
          const keptForVhd = /The VHD \S+ is in Image Builder's staging resource group/.test(
            r.stdout,
          );
          if (templates(r.state).some((t) => t.name === r.outputs.templateName) && !keptForVhd)
            problems.push(`${name}: template left behind`);
          // Every line the build wrote printed once, in order (the simulator's journal outlives the
          // deleted template).
          const runs = runsOf(r, r.outputs.templateName ?? '');
          if (runs.length !== 1)
            problems.push(
              `${name}: ${runs.length} runs of template ${r.outputs.templateName} in the simulator`,
            );
          else problems.push(...printedOnce(r, runs[0]).map((p) => `${name}: log line ${p}`));
          if (/"SharedImage"/.test(text)) {
            // The template's own runOutputName: the version is in the run outputs the task prints.
            const reported = [
              ...r.stdout.matchAll(
                new RegExp(
                  'Run output \\S+: Succeeded ' +
                    '(\\S+\\/galleries\\/[^/\\s]+\\/images\\/[^/\\s]+\\/vers' +
                    'ions\\/[^/\\s]+)',
                  'g',
                ),
              ),
            ].map((m) => m[1]);
            const version = r.state.resources.find((x) => reported.includes(x.id));
            if (version?.properties?.provisioningState !== 'Succeeded')
              problems.push(
                `${name}: no gallery version published (run outputs: ` +
                  `${reported.join(', ') || 'none'})`,
              );
            else if (r.outputs.imageVersionId !== version.id)
              problems.push(
                `${name}: output imageVersionId '${r.outputs.imageVersionId ?? ''}', but the ` +
                  `version published is ${version.id}`,
              );
            const definition = r.state.resources.find(
              (x) => version && x.id === version.id.replace(/\/versions\/[^/]+$/, ''),
            );
            if (
              version &&
              /"\$schema"\s*:\s*"[^"]*deploymentTemplate\.json/i.test(text) &&
              definition?.properties?.osType === 'Linux'
            )
              linuxArmGallery.push(name);
          }
        } else {
          refused++;
          const reason =
            /##vso\[task\.complete result=Failed;\](.*)/.exec(r.stdout)?.[1] ??
            r.message ??
            `(no reason; exit ${r.exitCode})`;
          lines.push(`  refused  ${name}\n           ${reason}`);
          if (/^Input '(?!templateFile')/.test(reason))
            problems.push(`${name}: the refusal names another input than templateFile: ${reason}`);
          if (!c.refused) problems.push(`${name}: should build, but: ${reason}`);
          else if (!c.refused.test(reason))
            problems.push(`${name}: refused for another reason than ${c.refused}: ${reason}`);
          const w = writesSince(r.state, before);
          if (w.length)
            problems.push(
              `${name}: refused after ${w.length} writes ` +
                `(${w.map((q) => `${q.method} ${q.path}`).join(', ')})`,
            );
          if (/TypeError|ReferenceError|at .*\.js:\d+/.test(reason))
            problems.push(`${name}: crashed: ${reason}`);
        }
      }
      console.log(
        `Corpus: ${built} built, ${refused} refused\n${lines.join('\n')}\nLinux from an ARM ` +
          `template file to a gallery version: ${linuxArmGallery.join(', ')}`,
      );
      assert.deepStrictEqual(problems, []);
      assert.ok(
        linuxArmGallery.length > 0,
        'a Linux build from an ARM template file published a gallery version',
      );
    },
  );

  it(
    'customizersFile (YAML) replaces the script inputs: its customisers are built after ' +
      'migration, with the warnings',
    async () => {
      const dir = path.join(work, 'customizers');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'steps.yml'),
        [
          'customize:',
          '  - type: shell',
          '    name: from-yaml',
          '    inline: ["echo one", "echo two"]',
          '  - type: Shell',
          '    name: legacy',
          '    script: https://example.invalid/setup.sh',
        ].join('\n'),
      );
      const r = await runBuildImage(
        world.sim,
        {
          ...FAST,
          sourceImage: LINUX_URN,
          galleryImageDefinitionId: IMAGE_LINUX,
          customizersFile: 'steps.yml',
        },
        { workdir: dir },
      );
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(r.stdout, /customizersFile: customize\[0\]\.type: 'shell' is sent as 'Shell'/);
      assert.match(
        r.stdout,
        /customizersFile: customize\[1\]: 'script' \(the pre-2019 key\) is sent as 'scriptUri'/,
      );
      assert.match(r.stdout, /Customizer 1 of 2: from-yaml \(Shell, 2 lines\)/);
      assert.match(
        r.stdout,
        /Customizer 2 of 2: legacy \(Shell, https:\/\/example\.invalid\/setup\.sh\)/,
      );
      assert.ok(
        !templates(r.state).some((t) => t.name === r.outputs.templateName),
        'template deleted',
      );
    },
  );

  it(
    'refuses before any write: both customizersFile and a script, templateFile with ' +
      'sourceImage, a local scriptUri that is not there, a file outside the sources folder',
    async () => {
      const dir = path.join(work, 'refusals');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'steps.json'),
        JSON.stringify([{ type: 'Shell', name: 'a', inline: ['echo'] }]),
      );
      fs.writeFileSync(
        path.join(dir, 'local.json'),
        JSON.stringify({
          properties: {
            source: UBUNTU_SOURCE,
            customize: [{ type: 'Shell', name: 'local', scriptUri: 'scripts/setup.sh' }],
            distribute: [{ type: 'VHD', runOutputName: 'vhd' }],
          },
        }),
      );
      const linux = { ...FAST, sourceImage: LINUX_URN, vhd: 'true' };
      const cases: [Record<string, string>, RegExp][] = [
        [
          { ...linux, customizersFile: 'steps.json', scriptSource: 'inline', inlineScript: 'echo' },
          /Input 'customizersFile': and scriptSource are both set/,
        ],
        [
          { ...linux, templateFile: 'local.json' },
          /Input 'templateFile': and sourceImage are both set/,
        ],
        [
          { ...FAST, templateFile: 'local.json' },
          new RegExp(
            "Input 'templateFile': customize\\[0\\] \\('local'\\) scriptUri 'scripts\\/setup\\.s" +
              "h': there is no such file",
          ),
        ],
        [
          { ...FAST, templateFile: '../outside.json' },
          /Input 'templateFile': '[^']*\/outside\.json' is outside/,
        ],
      ];
      for (const [inputs, expected] of cases) {
        const before = world.sim.state().requests.length;
        const r = await runBuildImage(world.sim, inputs, { workdir: dir });
        assert.strictEqual(r.result, 'Failed', r.stdout);
        assert.match(r.stdout, expected);
        assert.deepStrictEqual(writesSince(r.state, before), [], String(expected));
      }
    },
  );
});
