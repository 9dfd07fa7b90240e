// Azure Container Instances as the image builder uses them: the build container group
// (`vmimagebuilder-build-container-<suffix>`) in the staging resource group, readable, listable,
// deletable, with the logs API of containerinstance 2023-05-01:
//   GET .../containerGroups/{cg}/containers/{c}/logs?tail=N&timestamps=true|false  ->  {"content":
// "..."} With timestamps each line starts with an RFC3339Nano timestamp (9 fraction digits) and a
// space, as ACI prints them. Only the image builder creates groups; a client PUT is refused as not
// simulated.
import { ArmError, armErrors } from '../arm/errors';
import type { CustomRoute, ResourceTypeDef, SimServices } from '../arm/framework';
import { clone } from '../arm/helpers';
import type { StoredResource } from '../arm/store';

export const CONTAINER_GROUP_TYPE = 'Microsoft.ContainerInstance/containerGroups';

interface LogLine {
  ts: string;
  text: string;
}

/**
 * Strictly increasing RFC3339 timestamps with nanoseconds, so a reader can find where it left off.
 */
export class NanoClock {
  private last = 0n;

  now(): string {
    const wall = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    this.last = wall > this.last ? wall : this.last + 1n;
    const ms = Number(this.last / 1_000_000n);
    const nanos = (this.last % 1_000_000_000n).toString().padStart(9, '0');
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${nanos}Z`);
  }
}

/** The log of one container: lines with the time they were written. */
export class ContainerLog {
  private readonly lines: LogLine[] = [];
  private closed = false;

  constructor(private readonly clock: NanoClock) {}

  append(text: string): void {
    if (this.closed) return;
    for (const l of text.split('\n')) this.lines.push({ ts: this.clock.now(), text: l });
  }

  /** After the container stopped nothing more is written. */
  close(): void {
    this.closed = true;
  }

  get length(): number {
    return this.lines.length;
  }

  render(tail: number | undefined, timestamps: boolean): string {
    const pick = tail === undefined ? this.lines : tail <= 0 ? [] : this.lines.slice(-tail);
    return pick
      .map((l) => (timestamps ? `${l.ts} ${l.text}` : l.text))
      .map((l) => l + '\n')
      .join('');
  }
}

const clock = new NanoClock();

export function containerLog(
  sim: SimServices,
  groupId: string,
  container: string,
): ContainerLog | undefined {
  const logs = sim.store.has(groupId)
    ? (sim.store.meta(groupId).logs as Map<string, ContainerLog> | undefined)
    : undefined;
  return logs?.get(container.toLowerCase());
}

/** Creates a running container group with one container and an empty log; returns the log. */
export function createContainerGroup(
  sim: SimServices,
  opts: {
    id: string;
    location: string;
    container: string;
    image: string;
    command: string[];
    tags?: Record<string, string>;
  },
): { group: StoredResource; log: ContainerLog } {
  const now = new Date().toISOString();
  const group: StoredResource = {
    id: opts.id,
    name: opts.id.split('/').pop()!,
    type: CONTAINER_GROUP_TYPE,
    location: opts.location,
    tags: opts.tags ?? {},
    properties: {
      sku: 'Standard',
      provisioningState: 'Succeeded',
      containers: [
        {
          name: opts.container,
          properties: {
            image: opts.image,
            command: opts.command,
            ports: [],
            environmentVariables: [],
            resources: { requests: { memoryInGB: 4, cpu: 2 } },
            instanceView: {
              restartCount: 0,
              currentState: { state: 'Running', startTime: now, detailStatus: '' },
              events: [],
            },
          },
        },
      ],
      restartPolicy: 'Never',
      osType: 'Linux',
      instanceView: { events: [], state: 'Running' },
    },
  };
  const stored = sim.store.put(group);
  const log = new ContainerLog(clock);
  sim.store.meta(stored.id).logs = new Map([[opts.container.toLowerCase(), log]]);
  return { group: stored, log };
}

/** The container exited: its state becomes Terminated and the log stops. */
export function terminateContainerGroup(sim: SimServices, groupId: string, exitCode: number): void {
  const g = sim.store.get(groupId);
  if (!g) return;
  const now = new Date().toISOString();
  for (const c of g.properties.containers ?? []) {
    const start = c.properties.instanceView?.currentState?.startTime ?? now;
    c.properties.instanceView = {
      ...(c.properties.instanceView ?? {}),
      currentState: {
        state: 'Terminated',
        startTime: start,
        finishTime: now,
        exitCode,
        detailStatus: exitCode === 0 ? 'Completed' : 'Error',
      },
    };
    containerLog(sim, groupId, c.name)?.close();
  }
  g.properties.instanceView = {
    ...(g.properties.instanceView ?? {}),
    state: exitCode === 0 ? 'Succeeded' : 'Failed',
  };
}

const groupDef: ResourceTypeDef = {
  type: CONTAINER_GROUP_TYPE,
  apiVersions: ['2023-05-01', '2024-10-01-preview'],
  patch: false,
  lro: {
    delete: {
      header: 'Azure-AsyncOperation',
      asyncSegment: 'operations',
      status: 202,
      durationMs: 10_000,
      retryAfterSeconds: 5,
    },
  },
  beforePut() {
    throw new ArmError(
      400,
      'InvalidResourceType',
      'The simulator does not implement creating container groups; only the image builder ' +
        'creates them.',
    );
  },
  view(r) {
    return clone(r);
  },
};

const LOGS = new RegExp(
  '^\\/subscriptions\\/([^/]+)\\/resourceGroups\\/([^/]+)\\/providers\\' +
    '/Microsoft\\.ContainerInstan' +
    'ce\\/containerGroups\\/([^/]+)\\/containers\\/([^/]+)\\/logs$',
  'i',
);

const logsRoute: CustomRoute = {
  method: 'GET',
  pattern: LOGS,
  namespace: 'Microsoft.ContainerInstance',
  authorize: (_req, m) => ({
    action: 'Microsoft.ContainerInstance/containerGroups/containers/logs/read',
    scope:
      `/subscriptions/${m[1]}/resourceGroups/${m[2]}/providers/Microsoft.ContainerInstance` +
      `/containerGroups/${m[3]}`,
  }),
  handle(req, m) {
    const [rg, cg, c] = [
      decodeURIComponent(m[2]),
      decodeURIComponent(m[3]),
      decodeURIComponent(m[4]),
    ];
    if (!req.sim.store.has(`/subscriptions/${m[1]}/resourceGroups/${rg}`))
      throw armErrors.resourceGroupNotFound(rg);
    const id =
      `/subscriptions/${m[1]}/resourceGroups/${rg}/providers/${CONTAINER_GROUP_TYPE}/` + `${cg}`;
    if (!req.sim.store.has(id))
      throw armErrors.resourceNotFound(`${CONTAINER_GROUP_TYPE}/${cg}`, rg);
    const log = containerLog(req.sim, id, c);
    if (!log)
      throw new ArmError(
        404,
        'ContainerNotFound',
        `The container '${c}' is not found in container group '${cg}'.`,
      );
    const tailRaw = req.query.get('tail');
    let tail: number | undefined;
    if (tailRaw !== null) {
      if (!/^-?\d+$/.test(tailRaw))
        throw new ArmError(
          400,
          'InvalidParameter',
          `The value '${tailRaw}' of parameter 'tail' is invalid.`,
        );
      tail = parseInt(tailRaw, 10);
    }
    const timestamps = (req.query.get('timestamps') ?? 'false').toLowerCase() === 'true';
    return { status: 200, body: { content: log.render(tail, timestamps) } };
  },
};

export function containerGroupTypes(): ResourceTypeDef[] {
  return [groupDef];
}

export function containerGroupRoutes(): CustomRoute[] {
  return [logsRoute];
}
