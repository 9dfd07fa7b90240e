// Names shared by the Dev Box files: resource types, the name rules of the 2024-02-01 spec's path
// parameters (the contract validator checks bodies, not names), and small lookups.
import { ArmError } from '../arm/errors';
import type { ArmRequest, SimServices } from '../arm/framework';
import type { StoredResource } from '../arm/store';

export const DEV_CENTER_TYPE = 'Microsoft.DevCenter/devcenters';
export const DEV_CENTER_GALLERY_TYPE = 'Microsoft.DevCenter/devcenters/galleries';
export const DEV_BOX_DEFINITION_TYPE = 'Microsoft.DevCenter/devcenters/devboxdefinitions';
export const ATTACHED_NETWORK_TYPE = 'Microsoft.DevCenter/devcenters/attachednetworks';
export const NETWORK_CONNECTION_TYPE = 'Microsoft.DevCenter/networkConnections';
export const PROJECT_TYPE = 'Microsoft.DevCenter/projects';
export const POOL_TYPE = 'Microsoft.DevCenter/projects/pools';

export const API_VERSIONS = ['2024-02-01', '2023-04-01'];
/** Every Dev Box write is long-running with Azure-AsyncOperation (final-state-via). */
export const ASYNC = { header: 'Azure-AsyncOperation' as const, retryAfterSeconds: 15 };
export const BOTH = { header: 'both' as const, status: 202 as const, retryAfterSeconds: 15 };

export function badRequest(code: string, message: string, target?: string): ArmError {
  return new ArmError(400, code, message, target ? { target } : {});
}

const COMMON_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-_.]{2,62}$/;
const COMMON_RULE =
  "3 to 63 characters, starting with a letter or number, then letters, numbers, '-', '_' or '.'";
/** The spec's name patterns, by type (DevCenterNameParameter, DevBoxDefinitionName, ...). */
const NAME_RULES: Record<string, { pattern: RegExp; rule: string; what: string }> = {
  [DEV_CENTER_TYPE.toLowerCase()]: {
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]{2,25}$/,
    rule: "3 to 26 characters, starting with a letter or number, then letters, numbers or '-'",
    what: 'dev center',
  },
  [DEV_CENTER_GALLERY_TYPE.toLowerCase()]: {
    pattern: COMMON_NAME,
    rule: COMMON_RULE,
    what: 'gallery',
  },
  [DEV_BOX_DEFINITION_TYPE.toLowerCase()]: {
    pattern: COMMON_NAME,
    rule: COMMON_RULE,
    what: 'dev box definition',
  },
  [ATTACHED_NETWORK_TYPE.toLowerCase()]: {
    pattern: COMMON_NAME,
    rule: COMMON_RULE,
    what: 'attached network connection',
  },
  [NETWORK_CONNECTION_TYPE.toLowerCase()]: {
    pattern: COMMON_NAME,
    rule: COMMON_RULE,
    what: 'network connection',
  },
  [PROJECT_TYPE.toLowerCase()]: { pattern: COMMON_NAME, rule: COMMON_RULE, what: 'project' },
  [POOL_TYPE.toLowerCase()]: { pattern: COMMON_NAME, rule: COMMON_RULE, what: 'pool' },
};

/** Refuses a PUT whose resource name breaks the spec's pattern for its type (400). */
export function requireValidName(req: ArmRequest, type: string): void {
  const name = req.level?.name ?? '';
  const rule = NAME_RULES[type.toLowerCase()];
  if (!rule || rule.pattern.test(name)) return;
  throw badRequest(
    'InvalidResourceName',
    `The ${rule.what} name '${name}' is invalid. It must be ${rule.rule}.`,
    'name',
  );
}

/** `.../providers/Microsoft.DevCenter/{devcenters|projects}/{name}` of a child's id. */
export function parentIdOf(childId: string): string {
  return childId.split('/').slice(0, 9).join('/');
}

export function storedOfType(
  sim: SimServices,
  id: unknown,
  type: string,
): StoredResource | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  const r = sim.store.get(id);
  return r && r.type.toLowerCase() === type.toLowerCase() ? r : undefined;
}
