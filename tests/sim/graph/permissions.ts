// Microsoft Graph application permissions. A tenant grants an app permissions (admin consent);
// Entra puts them in the app's Graph tokens as the `roles` claim, and Graph checks that claim. Here
// every permission below is granted unless the scenario withholds it, as RBAC is open unless `rbac`
// (withholding one also withholds those that include it: without Device.Read.All,
// Directory.Read.All can't read devices either).
import type { GraphScenario } from '../types';

export const GRAPH_PERMISSIONS = [
  'Application.Read.All',
  'Application.ReadWrite.All',
  'Device.Read.All',
  'Device.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
] as const;

export type GraphPermission = (typeof GRAPH_PERMISSIONS)[number];

/** A permission and the broader ones that include what it allows. */
const INCLUDED_BY: Record<GraphPermission, GraphPermission[]> = {
  'Application.Read.All': [
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  'Application.ReadWrite.All': [],
  'Device.Read.All': ['Device.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  'Device.ReadWrite.All': [],
  'Directory.Read.All': ['Directory.ReadWrite.All'],
  'Directory.ReadWrite.All': [],
};

/**
 * What each Graph operation accepts, least privileged first (as Graph's reference pages list them).
 */
export const REQUIRED = {
  readServicePrincipals: [
    'Application.Read.All',
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  readDevices: [
    'Device.Read.All',
    'Device.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  deleteDevice: ['Device.ReadWrite.All'],
} satisfies Record<string, GraphPermission[]>;

function canonical(permission: string): GraphPermission | undefined {
  return GRAPH_PERMISSIONS.find((p) => p.toLowerCase() === permission.toLowerCase());
}

export class GraphPermissions {
  private readonly withheld: Array<{ principal?: string; permissions: GraphPermission[] }>;

  constructor(withheld: GraphScenario['withheld'] = []) {
    this.withheld = withheld.map((w, i) => {
      const p = typeof w?.permission === 'string' ? canonical(w.permission) : undefined;
      if (!p)
        throw new Error(
          `scenario graph.withheld[${i}]: "permission" is one of ` +
            `${GRAPH_PERMISSIONS.join(', ')}; got ${JSON.stringify(w?.permission)}`,
        );
      return { principal: w.principal?.toLowerCase(), permissions: [p, ...INCLUDED_BY[p]] };
    });
  }

  /** The application permissions granted to a principal: the `roles` of its Graph tokens. */
  rolesFor(principal: { objectId: string; appId: string }): string[] {
    const ids = [principal.objectId.toLowerCase(), principal.appId.toLowerCase()];
    const denied = new Set(
      this.withheld
        .filter((w) => w.principal === undefined || ids.includes(w.principal))
        .flatMap((w) => w.permissions),
    );
    return GRAPH_PERMISSIONS.filter((p) => !denied.has(p));
  }
}
