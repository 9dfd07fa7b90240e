// The tenant's directory: app registrations (client secret, certificate, federated credential), the
// managed identities the MSI endpoint serves (the agent's identity plus user-assigned identities in
// ARM), and what Microsoft Graph shows of it: service principals (those of the apps and identities,
// Microsoft's such as Windows 365, the scenario's) and devices.
import * as crypto from 'crypto';
import { certificatesInPem, thumbprints } from '../core/tls';
import type { ResourceStore } from '../arm/store';
import type { ClientSpec, GraphDevice, GraphScenario, GraphServicePrincipal } from '../types';

export const USER_ASSIGNED_IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

export interface RegisteredCertificate {
  sha1: Buffer;
  sha256: Buffer;
  publicKey: crypto.KeyObject;
}

export interface AppRegistration {
  clientId: string;
  objectId: string;
  displayName: string;
  secret?: string;
  certificates: RegisteredCertificate[];
  federated?: { issuer: string; subject?: string; audience: string };
}

export interface ManagedIdentityInfo {
  clientId: string;
  objectId: string;
  resourceId?: string;
}

/** Microsoft's tenant, owner of first-party apps such as Windows 365. */
const MICROSOFT_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

/** Windows 365's service principal, in every tenant (Dev Box needs it to read the gallery). */
export const WINDOWS_365 = {
  appId: '0af06dc6-e4b5-4f28-818e-e78e62d137a5',
  objectId: 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b',
  displayName: 'Windows 365',
};

export class Directory {
  private readonly apps = new Map<string, AppRegistration>();
  /**
   * Service principals that are not the apps' or the managed identities' (Microsoft's, the
   * scenario's).
   */
  private readonly otherServicePrincipals: GraphServicePrincipal[] = [];
  readonly devices: GraphDevice[] = [];

  constructor(
    private readonly store: ResourceStore,
    readonly agentIdentity: ManagedIdentityInfo,
    private readonly devopsIssuer: string,
    private readonly tenantId: string,
  ) {
    this.addServicePrincipal({
      ...WINDOWS_365,
      id: WINDOWS_365.objectId,
      appOwnerOrganizationId: MICROSOFT_TENANT,
    });
  }

  /** The scenario's `graph` objects. */
  addGraphObjects(graph: GraphScenario = {}): void {
    for (const sp of graph.servicePrincipals ?? []) this.addServicePrincipal(sp);
    for (const d of graph.devices ?? []) this.addDevice(d);
  }

  addServicePrincipal(
    sp: Partial<GraphServicePrincipal> & { appId: string; displayName: string },
  ): GraphServicePrincipal {
    if (typeof sp.appId !== 'string' || typeof sp.displayName !== 'string')
      throw new Error(
        `scenario graph.servicePrincipals: each needs "appId" and "displayName": ` +
          `${JSON.stringify(sp)}`,
      );
    const full: GraphServicePrincipal = {
      accountEnabled: true,
      appOwnerOrganizationId: this.tenantId,
      servicePrincipalNames: [sp.appId],
      ...sp,
      id: sp.id ?? crypto.randomUUID(),
      servicePrincipalType: sp.servicePrincipalType ?? 'Application',
    };
    const i = this.otherServicePrincipals.findIndex(
      (x) => x.appId.toLowerCase() === sp.appId.toLowerCase(),
    );
    if (i >= 0)
      this.otherServicePrincipals[i] = full; // the scenario may redefine Windows 365
    else this.otherServicePrincipals.push(full);
    return full;
  }

  addDevice(d: Partial<GraphDevice> & { displayName: string }): GraphDevice {
    if (typeof d.displayName !== 'string')
      throw new Error(`scenario graph.devices: each needs "displayName": ${JSON.stringify(d)}`);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const full: GraphDevice = {
      id: crypto.randomUUID(),
      deviceId: crypto.randomUUID(),
      accountEnabled: true,
      operatingSystem: 'Windows',
      operatingSystemVersion: '10.0.22631.4460',
      trustType: 'AzureAd',
      profileType: 'RegisteredDevice',
      isCompliant: null,
      isManaged: null,
      createdDateTime: now,
      approximateLastSignInDateTime: now,
      ...d,
    };
    this.devices.push(full);
    return full;
  }

  removeDevice(id: string): void {
    const i = this.devices.findIndex((d) => d.id.toLowerCase() === id.toLowerCase());
    if (i >= 0) this.devices.splice(i, 1);
  }

  /**
   * Every service principal of the tenant, as Graph lists them: the apps', the managed identities',
   * then the others.
   */
  servicePrincipals(): GraphServicePrincipal[] {
    const apps: GraphServicePrincipal[] = [...this.apps.values()].map((a) => ({
      id: a.objectId,
      appId: a.clientId,
      displayName: a.displayName,
      servicePrincipalType: 'Application',
      accountEnabled: true,
      appOwnerOrganizationId: this.tenantId,
      servicePrincipalNames: [a.clientId],
    }));
    const identities: GraphServicePrincipal[] = this.managedIdentities().map((m) => ({
      id: m.objectId,
      appId: m.clientId,
      displayName: m.resourceId ? m.resourceId.split('/').pop()! : 'agent-identity',
      servicePrincipalType: 'ManagedIdentity',
      accountEnabled: true,
      appOwnerOrganizationId: null,
      servicePrincipalNames: [
        m.clientId,
        ...(m.resourceId ? [`https://identity.azure.net/${m.clientId}`] : []),
      ],
      alternativeNames: m.resourceId ? ['isExplicit=True', m.resourceId] : [],
    }));
    return [...apps, ...identities, ...this.otherServicePrincipals];
  }

  addApp(spec: ClientSpec): AppRegistration {
    const certificates: RegisteredCertificate[] = [];
    if (spec.certificatePem) {
      for (const der of certificatesInPem(spec.certificatePem)) {
        const t = thumbprints(der);
        certificates.push({ ...t, publicKey: new crypto.X509Certificate(der).publicKey });
      }
      if (certificates.length === 0)
        throw new Error(`client ${spec.clientId}: certificatePem holds no certificate`);
    }
    const app: AppRegistration = {
      clientId: spec.clientId,
      objectId: spec.objectId ?? spec.clientId,
      displayName: spec.displayName ?? `sim-app-${spec.clientId.slice(0, 8)}`,
      secret: spec.secret,
      certificates,
      federated: spec.federated
        ? {
            issuer: spec.federated.issuer ?? this.devopsIssuer,
            subject: spec.federated.subject,
            audience: spec.federated.audience ?? 'api://AzureADTokenExchange',
          }
        : undefined,
    };
    this.apps.set(spec.clientId.toLowerCase(), app);
    return app;
  }

  app(clientId: string): AppRegistration | undefined {
    return this.apps.get(clientId.toLowerCase());
  }

  private managedIdentities(): ManagedIdentityInfo[] {
    return [
      this.agentIdentity,
      ...this.store.list({ type: USER_ASSIGNED_IDENTITY_TYPE }).map((r) => ({
        clientId: String(r.properties?.clientId ?? ''),
        objectId: String(r.properties?.principalId ?? ''),
        resourceId: r.id,
      })),
    ];
  }

  /**
   * A managed identity by client id, object id or resource id; the agent's identity when none is
   * given.
   */
  managedIdentity(q: {
    clientId?: string;
    objectId?: string;
    resourceId?: string;
  }): ManagedIdentityInfo | undefined {
    const all = this.managedIdentities();
    const eq = (a: string | undefined, b: string | undefined): boolean =>
      !!a && !!b && a.toLowerCase() === b.toLowerCase();
    if (q.clientId) return all.find((m) => eq(m.clientId, q.clientId));
    if (q.objectId) return all.find((m) => eq(m.objectId, q.objectId));
    if (q.resourceId) return all.find((m) => eq(m.resourceId, q.resourceId));
    return this.agentIdentity;
  }

  /**
   * Whether an object id is a principal of this tenant (apps, managed identities, system-assigned
   * identities, other service principals).
   */
  principalExists(objectId: string): boolean {
    const id = objectId.toLowerCase();
    for (const a of this.apps.values()) if (a.objectId.toLowerCase() === id) return true;
    if (this.otherServicePrincipals.some((sp) => sp.id.toLowerCase() === id)) return true;
    if (this.managedIdentity({ objectId })) return true;
    return this.store.all().some((r) => String(r.identity?.principalId ?? '').toLowerCase() === id);
  }
}
