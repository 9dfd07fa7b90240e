// One small world per task for the fault matrix: the scenario a clean run starts from and the
// inputs of a run that makes every class of ARM call the task makes (BuildImage: a build, with its
// artifacts folder for the upload cases; DistributeToGallery: publish then prune; UpdateHostPool:
// a Standard pool rolled; AttachGalleryToDevCenter: roles, attach, a dev box definition).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { devBoxScenario, GALLERY as DEVBOX_GALLERY } from '../../e2e/attachGalleryFixtures';
import { COMMON, LINUX_URN } from '../../e2e/buildImageFixtures';
import { hostPoolScenario, PoolWorld } from '../../e2e/hostPoolFixtures';
import type { Scenario } from '../../sim';
import { SIM_IDS } from '../../sim';
import { baseResources, IMAGE_LINUX } from '../../sim/domain/support';
import type { TaskName } from '../../../scripts/tasks';
import type { CallClass } from './faultMatrix';

export interface FaultWorld {
  task: TaskName;
  scenario(): Scenario;
  inputs(): Record<string, string>;
  /** The result a clean run ends with. */
  result: 'Succeeded' | 'SucceededWithIssues';
}

const SUB = `/subscriptions/${SIM_IDS.subscriptionId}`;
const DIST_RG = `${SUB}/resourceGroups/rg-dist`;
const DIST_IMAGE = `${DIST_RG}/providers/Microsoft.Compute/images/img-1`;
const DIST_DEFINITION = `${DIST_RG}/providers/Microsoft.Compute/galleries/golden/images/win11`;

/**
 * A folder of incompressible content in two upload blocks (8 MiB and 4 MiB) plus a small file: a
 * fault on the second block interrupts the upload halfway.
 */
export function artifactsFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-faults-artifacts-'));
  fs.writeFileSync(path.join(dir, 'payload.bin'), randomBytes(12 * 1024 * 1024));
  fs.writeFileSync(path.join(dir, 'install.sh'), 'echo installing\n');
  return dir;
}

export function buildImageWorld(packagePath?: string): FaultWorld {
  return {
    task: 'BuildImage',
    scenario: () => ({ timeScale: 0.002, resources: baseResources() }),
    inputs: () => ({
      ...COMMON,
      sourceImage: LINUX_URN,
      galleryImageDefinitionId: IMAGE_LINUX,
      galleryImageVersion: '1.0.0',
      scriptSource: 'inline',
      inlineScript: 'echo hello',
      ...(packagePath ? { packagePath } : {}),
    }),
    result: 'Succeeded',
  };
}

export const distributeWorld: FaultWorld = {
  task: 'DistributeToGallery',
  scenario: () => ({
    timeScale: 0.002,
    resources: [
      { id: DIST_RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
      {
        id: DIST_IMAGE,
        type: 'Microsoft.Compute/images',
        location: 'westeurope',
        properties: {
          hyperVGeneration: 'V2',
          storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
        },
      },
      {
        id: DIST_DEFINITION.replace(/\/images\/win11$/, ''),
        type: 'Microsoft.Compute/galleries',
        location: 'westeurope',
      },
      {
        id: DIST_DEFINITION,
        type: 'Microsoft.Compute/galleries/images',
        location: 'westeurope',
        properties: {
          osType: 'Windows',
          osState: 'Generalized',
          hyperVGeneration: 'V2',
          features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
          identifier: { publisher: 'contoso', offer: 'win11', sku: 'ent' },
        },
      },
      ...['1.0.0', '1.0.1'].map((v) => ({
        id: `${DIST_DEFINITION}/versions/${v}`,
        type: 'Microsoft.Compute/galleries/images/versions',
        location: 'westeurope',
        properties: {
          storageProfile: { source: { id: DIST_IMAGE } },
          publishingProfile: { targetRegions: [{ name: 'westeurope' }] },
        },
      })),
    ],
  }),
  inputs: () => ({
    source: DIST_IMAGE,
    galleryResourceGroup: 'rg-dist',
    galleryName: 'golden',
    imageDefinition: 'win11',
    securityType: 'TrustedLaunch',
    versionStrategy: 'explicit',
    version: '1.0.2',
    targetRegions: 'westeurope, northeurope',
    pruneKeep: '2',
    pollInterval: '500ms',
  }),
  result: 'Succeeded',
};

const pool = new PoolWorld({ key: 'faults', hosts: 2, scalingPlan: false });
export const hostPoolWorld: FaultWorld = {
  task: 'UpdateHostPool',
  scenario: () => hostPoolScenario([pool], { timeScale: 0.002 }),
  inputs: () => pool.inputs({ pollInterval: '1s' }),
  result: 'Succeeded',
};

export const attachWorld: FaultWorld = {
  task: 'AttachGalleryToDevCenter',
  scenario: () => ({ ...devBoxScenario(), timeScale: 0.002 }),
  inputs: () => ({
    devCenter: 'dc-main',
    resourceGroup: 'rg-devbox',
    gallery: DEVBOX_GALLERY,
    image: 'win11-devbox',
    devBoxDefinition: 'win11-8c32gb',
    pollInterval: '500ms',
  }),
  result: 'Succeeded',
};

/** The classes of ARM call each world's clean run makes (CALL_CLASSES' order). */
export const EXPECTED_CLASSES: Record<TaskName, CallClass[]> = {
  BuildImage: ['PUT', 'poll', 'POST', 'DELETE', 'list'],
  DistributeToGallery: ['PUT', 'poll', 'DELETE', 'list'],
  UpdateHostPool: ['PUT', 'poll', 'POST', 'DELETE', 'list', 'PATCH'],
  AttachGalleryToDevCenter: ['PUT', 'poll', 'list'],
};

/** GETs a task polls a resource with, beyond operation status URLs. */
export const POLLS: Partial<Record<TaskName, RegExp>> = {
  // DistributeToGallery follows replication on the version itself.
  DistributeToGallery: /\/versions\/[^/?]+\?.*expand=ReplicationStatus/i,
};
