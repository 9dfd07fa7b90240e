// The tenant's directory: app registrations (client secret, certificate, federated credential) and the
// managed identities the MSI endpoint serves (the agent's identity plus user-assigned identities in ARM).
import * as crypto from 'crypto';
import { certificatesInPem, thumbprints } from '../core/tls';
import type { ResourceStore } from '../arm/store';
import type { ClientSpec } from '../types';

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

export class Directory {
  private readonly apps = new Map<string, AppRegistration>();

  constructor(private readonly store: ResourceStore, readonly agentIdentity: ManagedIdentityInfo, private readonly devopsIssuer: string) {}

  addApp(spec: ClientSpec): AppRegistration {
    const certificates: RegisteredCertificate[] = [];
    if (spec.certificatePem) {
      for (const der of certificatesInPem(spec.certificatePem)) {
        const t = thumbprints(der);
        certificates.push({ ...t, publicKey: new crypto.X509Certificate(der).publicKey });
      }
      if (certificates.length === 0) throw new Error(`client ${spec.clientId}: certificatePem holds no certificate`);
    }
    const app: AppRegistration = {
      clientId: spec.clientId,
      objectId: spec.objectId ?? spec.clientId,
      displayName: spec.displayName ?? `sim-app-${spec.clientId.slice(0, 8)}`,
      secret: spec.secret,
      certificates,
      federated: spec.federated ? {
        issuer: spec.federated.issuer ?? this.devopsIssuer,
        subject: spec.federated.subject,
        audience: spec.federated.audience ?? 'api://AzureADTokenExchange',
      } : undefined,
    };
    this.apps.set(spec.clientId.toLowerCase(), app);
    return app;
  }

  app(clientId: string): AppRegistration | undefined {
    return this.apps.get(clientId.toLowerCase());
  }

  /** A managed identity by client id, object id or resource id; the agent's identity when none is given. */
  managedIdentity(q: { clientId?: string; objectId?: string; resourceId?: string }): ManagedIdentityInfo | undefined {
    const all: ManagedIdentityInfo[] = [this.agentIdentity, ...this.store.list({ type: USER_ASSIGNED_IDENTITY_TYPE }).map((r) => ({
      clientId: String(r.properties?.clientId ?? ''), objectId: String(r.properties?.principalId ?? ''), resourceId: r.id,
    }))];
    const eq = (a: string | undefined, b: string | undefined): boolean => !!a && !!b && a.toLowerCase() === b.toLowerCase();
    if (q.clientId) return all.find((m) => eq(m.clientId, q.clientId));
    if (q.objectId) return all.find((m) => eq(m.objectId, q.objectId));
    if (q.resourceId) return all.find((m) => eq(m.resourceId, q.resourceId));
    return this.agentIdentity;
  }

  /** Whether an object id is a principal of this tenant (apps, managed identities, system-assigned identities). */
  principalExists(objectId: string): boolean {
    const id = objectId.toLowerCase();
    for (const a of this.apps.values()) if (a.objectId.toLowerCase() === id) return true;
    if (this.managedIdentity({ objectId })) return true;
    return this.store.all().some((r) => String(r.identity?.principalId ?? '').toLowerCase() === id);
  }
}
