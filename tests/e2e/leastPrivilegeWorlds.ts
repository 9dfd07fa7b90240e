// The least-privilege worlds: each task's representative run with the service connection holding
// exactly a custom role of given actions (RBAC enforced), and the documented actions read from
// overview.md's least-privilege tables, so the docs and the tests cannot drift apart.
import * as fs from 'fs';
import * as path from 'path';
import { runTask, RunResult } from '../../scripts/runner/runner';
import type { TaskName } from '../../scripts/tasks';
import { RecordedRequest, Scenario, SIM_IDS, startSimulator } from '../sim';
import { devBoxScenario, GALLERY as DEVBOX_GALLERY } from './attachGalleryFixtures';
import {
  AIB_PRINCIPAL,
  assignment,
  inline,
  rbacResources,
  ROLES,
  scenario as buildScenario,
  WINDOWS,
} from './buildImageFixtures';
import { hostPoolScenario, PoolWorld } from './hostPoolFixtures';

const SUB = `/subscriptions/${SIM_IDS.subscriptionId}`;
const ROLE_GUID = '1ea5e9a1-0000-4000-8000-00000000a11c';
const CONNECTION = SIM_IDS.sp.objectId;
const ASSIGNMENT = '1ea5e9a1-0000-4000-8000-0000000c0111';

export interface DocumentedAction {
  action: string;
  /** What the task does without it: refuses before any write, or warns and goes on. */
  without: 'fails' | 'warns';
}

/** The task's least-privilege table in overview.md. */
export function documentedActions(task: TaskName): DocumentedAction[] {
  const overview = fs.readFileSync(path.resolve(__dirname, '../../../overview.md'), 'utf8');
  const at = overview.indexOf(`<!-- least-privilege:${task} -->`);
  if (at < 0) throw new Error(`overview.md has no least-privilege table for ${task}.`);
  const rows: DocumentedAction[] = [];
  for (const line of overview.slice(at).split('\n').slice(3)) {
    const m = /^\| `([^`]+)` \|[^|]*\| (fails|warns)\b[^|]*\|$/.exec(line);
    if (!m) break;
    rows.push({ action: m[1], without: m[2] as 'fails' | 'warns' });
  }
  return rows;
}

/** A custom role of exactly `actions`, assigned to the connection at the subscription. */
function connectionRole(actions: string[]): unknown[] {
  return [
    {
      id: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_GUID}`,
      type: 'Microsoft.Authorization/roleDefinitions',
      properties: {
        roleName: 'Golden image pipelines (least privilege)',
        type: 'CustomRole',
        permissions: [{ actions, notActions: [] }],
        assignableScopes: [SUB],
      },
    },
    {
      id: `${SUB}/providers/Microsoft.Authorization/roleAssignments/${ASSIGNMENT}`,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_GUID}`,
        principalId: CONNECTION,
      },
    },
  ];
}

interface World {
  scenario: Scenario;
  inputs: Record<string, string>;
}

const RG_GALLERY = `${SUB}/resourceGroups/rg-lp`;
const MANAGED_IMAGE = `${RG_GALLERY}/providers/Microsoft.Compute/images/img-1`;

const WORLDS: Record<TaskName, (actions: string[]) => World> = {
  BuildImage: (actions) => ({
    scenario: buildScenario({
      rbac: true,
      resources: rbacResources(
        ...connectionRole(actions),
        // Image Builder's identity may write versions into the gallery (its own rights).
        assignment(`${SUB}/resourceGroups/rg-img`, ROLES.contributor, AIB_PRINCIPAL),
      ),
    }),
    inputs: { ...WINDOWS, ...inline('Write-Host "least privilege"') },
  }),
  DistributeToGallery: (actions) => ({
    scenario: {
      timeScale: 0.002,
      rbac: true,
      resources: [
        { id: RG_GALLERY, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
        {
          id: MANAGED_IMAGE,
          type: 'Microsoft.Compute/images',
          location: 'westeurope',
          properties: {
            hyperVGeneration: 'V2',
            storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
          },
        },
        ...connectionRole(actions),
      ],
    },
    inputs: {
      source: MANAGED_IMAGE,
      galleryResourceGroup: 'rg-lp',
      galleryName: 'golden',
      imageDefinition: 'win11',
      osType: 'Windows',
      hyperVGeneration: 'V2',
      osState: 'Generalized',
      targetRegions: 'westeurope',
      pollInterval: '500ms',
    },
  }),
  UpdateHostPool: (actions) => {
    const world = new PoolWorld({
      key: 'lp',
      hosts: 1,
      sessions: [{ host: 0, user: 'ada@contoso.com' }],
    });
    const base = hostPoolScenario([world]);
    return {
      scenario: {
        ...base,
        rbac: true,
        resources: [...base.resources!, ...connectionRole(actions)],
      },
      inputs: world.inputs(),
    };
  },
  AttachGalleryToDevCenter: (actions) => {
    const base = devBoxScenario();
    // Only the connection's role: the scenario's own assignments to it go.
    const resources = base.resources!.filter(
      (r: any) =>
        r.type !== 'Microsoft.Authorization/roleAssignments' ||
        r.properties?.principalId !== CONNECTION,
    );
    return {
      scenario: { ...base, resources: [...resources, ...connectionRole(actions)] },
      inputs: {
        devCenter: 'dc-main',
        resourceGroup: 'rg-devbox',
        gallery: DEVBOX_GALLERY,
        image: 'win11-devbox',
        devBoxDefinition: 'win11-8c32gb',
        pollInterval: '500ms',
      },
    };
  },
};

/**
 * Runs the task's representative run with the connection holding exactly `actions` (and every
 * Microsoft Graph permission but `graphWithheld`).
 */
export async function runWithActions(
  task: TaskName,
  actions: string[],
  graphWithheld: string[] = [],
): Promise<RunResult> {
  const world = WORLDS[task](actions);
  const graph = world.scenario.graph ?? {};
  const withheld = [
    ...(graph.withheld ?? []),
    ...graphWithheld.map((permission) => ({ principal: CONNECTION, permission })),
  ];
  const sim = await startSimulator({
    scenario: { ...world.scenario, graph: { ...graph, withheld } },
  });
  try {
    return await runTask({ task, sim, inputs: world.inputs });
  } finally {
    await sim.stop();
  }
}

/** POSTs that only read. */
const READS_BY_POST = /\/(listKeys|retrieveRegistrationToken|listRegistrationTokens)(\?|$)/i;

/** Requests that changed something in Azure. */
export const writes = (r: RunResult): RecordedRequest[] =>
  r.state.requests.filter(
    (q) => q.method !== 'GET' && q.status > 0 && q.status < 400 && !READS_BY_POST.test(q.path),
  );

/** The distinct actions ARM checked for the connection in a run. */
export const actionsChecked = (r: RunResult): string[] => [
  ...new Set(
    r.state.authorizations.filter((a) => a.principalId === CONNECTION).map((a) => a.action),
  ),
];

/** task-lib escapes line breaks in the result message. */
export const messageOf = (r: RunResult) =>
  (r.message ?? '').replace(/%0A/g, '\n').replace(/%0D/g, '');
