/**
 * Which versions of an image definition are in use, in every subscription the service connection
 * can see: by virtual machines (AVD session hosts are named as such), scale sets, AVD host pools'
 * session host templates, and dev box definitions of dev centers that have the gallery attached.
 * Prune keeps these. What can't be checked is reported; when the gallery's own subscription can't
 * be checked, the scan is incomplete and nothing may be deleted.
 */
import { AzureContext } from '../azure/clients';
import { describeArmError } from '../azure/armErrors';
import { Logger } from '../core/logger';
import { ArmClient } from '../azure/armClient';
import { isAbsent } from '../azure/notFound';
import { computeClient } from '../azure/sdkClients';
import {
  DefinitionRef,
  galleryId,
  ImageReference,
  parseGalleryId,
  parseResourceId,
  sameId,
} from '../azure/resourceIds';
import {
  AttachedGallery,
  DevBoxDefinition,
  devBoxImageOf,
  DevCenter,
  DEVCENTER_API,
} from '../devcenter/model';
import { AVD_API, HostPool, imageRefsIn, SessionHost, sessionHostName } from '../hostpool/model';

const SUBSCRIPTIONS_API = '2022-12-01';
const CONCURRENCY = 6;

export interface UsageScan {
  /** Version name -> what uses it. */
  inUse: Map<string, string[]>;
  subscriptions: string[];
  /** What could not be checked, in words. */
  gaps: string[];
  /** False when VMs or scale sets of the gallery's own subscription could not be listed. */
  complete: boolean;
}

export async function findVersionsInUse(
  azure: AzureContext,
  def: DefinitionRef,
  galleryUniqueName: string | undefined,
  log: Logger,
  signal: AbortSignal,
): Promise<UsageScan> {
  const arm = new ArmClient(azure);
  const scan: UsageScan = { inUse: new Map(), subscriptions: [], gaps: [], complete: true };
  const record = (version: string | undefined, user: string) => {
    if (!version) return;
    const users = scan.inUse.get(version) ?? [];
    if (!users.includes(user)) users.push(user);
    scan.inUse.set(version, users);
  };
  const versionOf = (ref: ImageReference | undefined) =>
    referencedVersion(ref, def, galleryUniqueName);

  scan.subscriptions = await visibleSubscriptions(arm, def.subscriptionId, scan, signal);
  const queue = [...scan.subscriptions];
  const worker = async () => {
    for (let sub = queue.shift(); sub; sub = queue.shift()) {
      await scanSubscription(azure, arm, sub, def, { record, versionOf, scan, signal });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  log.debug(
    `Usage scan: ${scan.subscriptions.length} subscription(s); in use: ` +
      `${JSON.stringify([...scan.inUse])}; gaps: ${scan.gaps.join(' | ')}`,
  );
  return scan;
}

async function visibleSubscriptions(
  arm: ArmClient,
  own: string,
  scan: UsageScan,
  signal: AbortSignal,
): Promise<string[]> {
  try {
    const subs = await arm.list<{ subscriptionId: string; state?: string }>(
      '/subscriptions',
      SUBSCRIPTIONS_API,
      signal,
    );
    const ids = subs
      .filter((s) => !/^(disabled|deleted)$/i.test(s.state ?? ''))
      .map((s) => s.subscriptionId.toLowerCase());
    return [own.toLowerCase(), ...ids.filter((id) => id !== own.toLowerCase())];
  } catch (err) {
    scan.gaps.push(
      `the list of subscriptions (${describeArmError(err)}); only the gallery's ` +
        `subscription was checked`,
    );
    return [own.toLowerCase()];
  }
}

interface ScanTools {
  record(version: string | undefined, user: string): void;
  versionOf(ref: ImageReference | undefined): string | undefined;
  scan: UsageScan;
  signal: AbortSignal;
}

async function scanSubscription(
  azure: AzureContext,
  arm: ArmClient,
  sub: string,
  def: DefinitionRef,
  t: ScanTools,
): Promise<void> {
  const own = sub === def.subscriptionId.toLowerCase();
  const where = own ? '' : ` in subscription ${sub}`;
  const compute = computeClient(azure, sub);
  const attempt = async (what: string, essential: boolean, body: () => Promise<void>) => {
    try {
      await body();
    } catch (err) {
      if (t.signal.aborted) throw err;
      if (isAbsent(err)) return;
      t.scan.gaps.push(`${what}${where}: ${describeArmError(err)}`);
      if (essential && own) t.scan.complete = false;
    }
  };

  // Session hosts first, so their VMs are named as session hosts.
  const sessionHosts = new Map<string, string>();
  await attempt('AVD host pools', false, async () => {
    const pools = await arm.list<HostPool>(
      `/subscriptions/${sub}/providers/Microsoft.DesktopVirtualization/hostPools`,
      AVD_API,
      t.signal,
    );
    for (const pool of pools) {
      for (const ref of imageRefsIn(pool.properties?.vmTemplate))
        t.record(t.versionOf(ref), `the session host template of host pool ${pool.name}`);
      const hosts = await arm.list<SessionHost>(`${pool.id}/sessionHosts`, AVD_API, t.signal);
      for (const h of hosts)
        if (h.properties?.resourceId)
          sessionHosts.set(
            h.properties.resourceId.toLowerCase(),
            `session host ${sessionHostName(h)} of host pool ${pool.name}`,
          );
    }
  });
  await attempt('virtual machines', true, async () => {
    for await (const vm of compute.virtualMachines.listAll({ abortSignal: t.signal })) {
      const label =
        (vm.id && sessionHosts.get(vm.id.toLowerCase())) ?? `VM ${vm.name}${rgOf(vm.id)}`;
      t.record(t.versionOf(vm.storageProfile?.imageReference), label);
    }
  });
  await attempt('virtual machine scale sets', true, async () => {
    for await (const ss of compute.virtualMachineScaleSets.listAll({ abortSignal: t.signal })) {
      t.record(
        t.versionOf(ss.virtualMachineProfile?.storageProfile?.imageReference),
        `scale set ${ss.name}${rgOf(ss.id)}`,
      );
    }
  });
  await attempt('dev box definitions', false, async () => {
    const centers = await arm.list<DevCenter>(
      `/subscriptions/${sub}/providers/Microsoft.DevCenter/devcenters`,
      DEVCENTER_API,
      t.signal,
    );
    for (const dc of centers) {
      const galleries = await arm.list<AttachedGallery>(
        `${dc.id}/galleries`,
        DEVCENTER_API,
        t.signal,
      );
      const attached = galleries
        .filter((g) => sameId(g.properties?.galleryResourceId, galleryId(def)))
        .map((g) => g.name.toLowerCase());
      if (attached.length === 0) continue;
      const definitions = await arm.list<DevBoxDefinition>(
        `${dc.id}/devboxdefinitions`,
        DEVCENTER_API,
        t.signal,
      );
      for (const d of definitions) {
        for (const ref of [d.properties?.imageReference, d.properties?.activeImageReference]) {
          t.record(
            devBoxVersion(ref, attached, def),
            `dev box definition ${d.name} of dev center ${dc.name}`,
          );
        }
      }
    }
  });
}

/**
 * The version of our definition an image reference uses: by gallery id (a definition id uses its
 * `exactVersion`), or by direct shared gallery id
 * `/SharedGalleries/{uniqueName}/Images/{definition}/Versions/{version}`.
 */
export function referencedVersion(
  ref: ImageReference | undefined,
  def: DefinitionRef,
  galleryUniqueName: string | undefined,
): string | undefined {
  if (!ref) return undefined;
  if (ref.id) {
    const g = parseGalleryId(ref.id);
    if (
      g &&
      sameId(galleryId(g), galleryId(def)) &&
      g.definition?.toLowerCase() === def.definition.toLowerCase()
    )
      return g.version ?? ref.exactVersion;
  }
  const shared = /^\/sharedGalleries\/([^/]+)\/images\/([^/]+)(?:\/versions\/([^/]+))?$/i.exec(
    ref.sharedGalleryImageId ?? '',
  );
  if (
    shared &&
    galleryUniqueName &&
    shared[1].toLowerCase() === galleryUniqueName.toLowerCase() &&
    shared[2].toLowerCase() === def.definition.toLowerCase()
  ) {
    return shared[3] && shared[3].toLowerCase() !== 'latest' ? shared[3] : ref.exactVersion;
  }
  return undefined;
}

/**
 * The version of our definition a dev box definition's image uses, through a gallery attached under
 * one of these names.
 */
export function devBoxVersion(
  ref: ImageReference | undefined,
  attachedGalleryNames: string[],
  def: DefinitionRef,
): string | undefined {
  const image = devBoxImageOf(ref);
  if (
    !image ||
    !attachedGalleryNames.includes(image.gallery.toLowerCase()) ||
    image.definition.toLowerCase() !== def.definition.toLowerCase()
  )
    return undefined;
  return image.version;
}

function rgOf(id: string | undefined): string {
  const p = id ? parseResourceId(id) : undefined;
  return p ? ` (${p.resourceGroup})` : '';
}
