/**
 * What UpdateHostPool read of the pool before planning (read/ fills it, rolloutPlan and execute/
 * use it): the pool, its scaling plan, its hosts with their VMs, the reference host's template and
 * the target image. Plain data: planning is pure over it.
 */
import { Lease } from './tags';
import { VmParts } from './vmParts';

export interface PoolState {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  /** Pooled (Personal pools are refused when read). */
  hostPoolType: string;
  tags: Record<string, string>;
  /** The pool's vmTemplate JSON text, used as the reference when the pool has no host. */
  vmTemplate?: string;
  /** The scaling plan that manages the pool, if any. */
  scalingPlan?: ScalingPlanRef;
  /** Pool tag gip.hostIndex (0 when absent). */
  hostIndex: number;
  /** Pool tag gip.rollout, when it holds a lease. */
  lease?: Lease;
  /** Pool tag gip.rollout.token = created. */
  tokenCreated: boolean;
  /** Session hosts with their VMs, as listed. */
  hosts: HostState[];
  /**
   * VMs tagged gip.rollout.target that are no pool's session host yet (made by a run that stopped
   * before their agent registered); found in the resource groups the new VMs go to.
   */
  unregistered: VmState[];
}

export interface ScalingPlanRef {
  id: string;
  name: string;
  /** The tag name autoscale skips VMs by; undefined when the plan has none. */
  exclusionTag?: string;
}

export interface HostState {
  /** The session host's own name (its computer name, an FQDN for AD DS-joined hosts). */
  name: string;
  /** Session host status: Available, Unavailable, Shutdown, UpgradeFailed, ... */
  status?: string;
  allowNewSession: boolean;
  /** User sessions on the host (any state: a Disconnected session still holds work). */
  sessions: number;
  /** The host's VM; undefined when its `properties.resourceId` names no VM that exists. */
  vm?: VmState;
}

export interface VmState {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  zones: string[];
  timeCreated?: Date;
  /** The gallery image version the VM runs (its id, or definition id + exactVersion). */
  imageVersionId?: string;
  /** `storageProfile.imageReference.id` as is (a definition, version or other image id). */
  imageId?: string;
  /** PowerState/running, PowerState/deallocated, ... (undefined without an instance view). */
  powerState?: string;
  tags: Record<string, string>;
  /** Its NICs and disks that are not deleted with it. */
  parts: VmParts;
}

/** The reference host's settings the new hosts copy (from its VM, or the pool's vmTemplate). */
export interface HostTemplate {
  /** e.g. `VM avd-prod-3` or `the pool's vmTemplate`. */
  source: string;
  /** The reference VM's resource group (new VMs go there unless vmResourceGroup says). */
  resourceGroup?: string;
  location: string;
  vmSize: string;
  subnetId: string;
  /** Zones the pool's hosts use ([] = not zonal). */
  zones: string[];
  securityType?: string;
  secureBoot?: boolean;
  vTpm?: boolean;
  osDiskType?: string;
  osDiskSizeGB?: number;
  licenseType?: string;
  bootDiagnostics?: { enabled: boolean; storageUri?: string };
  identity?: {
    type: 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned' | 'None';
    userAssignedIdentities?: string[];
  };
  acceleratedNetworking?: boolean;
  tags: Record<string, string>;
  adminUser?: string;
  /** How the reference host joined: from its extensions (or vmTemplate's domain). */
  join: ReferenceJoin;
  /** The AVD DSC configuration zip the reference host used, reused for new hosts. */
  dscModulesUrl?: string;
  /** Extensions of the reference VM that are not the AVD agent or the join: listed, not copied. */
  otherExtensions: string[];
  /** The reference's image, for the OS / generation / security type checks. */
  hyperVGeneration?: string;
}

export type ReferenceJoin =
  | { type: 'entra'; intuneEnroll: boolean }
  | { type: 'activeDirectory'; domain?: string; ouPath?: string; user?: string }
  | { type: 'unknown' };

/** How new hosts join, settled from the joinType input and the reference host. */
export type ResolvedJoin =
  | { type: 'entra'; intuneEnroll: boolean }
  | { type: 'activeDirectory'; domain: string; ouPath?: string; user: string; password: string };

/** The target image version, resolved once and pinned for the rollout. */
export interface TargetImage {
  /** The version's id (a definition input is resolved to its latest version once). */
  versionId: string;
  definitionId: string;
  version: string;
  osType: string;
  hyperVGeneration: string;
  /** TrustedLaunch, TrustedLaunchSupported, ConfidentialVM, ... from the definition's features. */
  securityType?: string;
  /** Regions the version is replicated to (names as Azure lowers them). */
  regions: string[];
}
