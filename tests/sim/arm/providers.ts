// Resource provider registration per subscription. A scenario can mark namespaces NotRegistered; requests
// to such a namespace fail with MissingSubscriptionRegistration until POST .../providers/{ns}/register
// completes (Registering -> Registered after a scaled delay, as in Azure).
import { armErrors } from './errors';
import type { SimClock } from '../core/clock';

export type RegistrationState = 'Registered' | 'NotRegistered' | 'Registering' | 'Unregistering';

/** Namespaces that are registered everywhere and cannot be unregistered. */
const ALWAYS_REGISTERED = ['microsoft.resources', 'microsoft.authorization'];

/** Namespaces ARM knows even when the simulator implements none of their types. */
const WELL_KNOWN = [
  'Microsoft.Resources', 'Microsoft.Authorization', 'Microsoft.Compute', 'Microsoft.Storage', 'Microsoft.Network',
  'Microsoft.ManagedIdentity', 'Microsoft.VirtualMachineImages', 'Microsoft.ContainerInstance', 'Microsoft.KeyVault',
  'Microsoft.DesktopVirtualization', 'Microsoft.DevCenter', 'Microsoft.Insights', 'Microsoft.OperationalInsights',
];

export class Providers {
  private readonly states = new Map<string, { name: string; state: RegistrationState }>();
  /** Nominal time a registration takes. */
  static readonly REGISTRATION_MS = 60_000;

  constructor(private readonly clock: SimClock, namespaces: string[], initial: Record<string, string> = {}) {
    for (const ns of [...WELL_KNOWN, ...namespaces]) this.states.set(ns.toLowerCase(), { name: ns, state: 'Registered' });
    for (const [ns, state] of Object.entries(initial)) {
      if (ALWAYS_REGISTERED.includes(ns.toLowerCase())) continue;
      const entry = this.states.get(ns.toLowerCase()) ?? { name: ns, state: 'Registered' as RegistrationState };
      entry.state = state === 'NotRegistered' ? 'NotRegistered' : 'Registered';
      this.states.set(ns.toLowerCase(), entry);
    }
  }

  known(ns: string): boolean {
    return this.states.has(ns.toLowerCase());
  }

  /** Canonical casing of a namespace, or undefined when unknown. */
  name(ns: string): string | undefined {
    return this.states.get(ns.toLowerCase())?.name;
  }

  state(ns: string): RegistrationState {
    return this.states.get(ns.toLowerCase())?.state ?? 'NotRegistered';
  }

  all(): Array<{ name: string; state: RegistrationState }> {
    return [...this.states.values()];
  }

  /** Throws MissingSubscriptionRegistration unless the namespace is registered. */
  require(ns: string): void {
    if (ALWAYS_REGISTERED.includes(ns.toLowerCase())) return;
    const e = this.states.get(ns.toLowerCase());
    if (e && e.state !== 'Registered') throw armErrors.missingSubscriptionRegistration(e.name);
  }

  register(ns: string): void {
    const e = this.states.get(ns.toLowerCase());
    if (!e || e.state === 'Registered' || e.state === 'Registering') return;
    e.state = 'Registering';
    setTimeout(() => { if (e.state === 'Registering') e.state = 'Registered'; }, this.clock.scaled(Providers.REGISTRATION_MS)).unref();
  }

  unregister(ns: string): void {
    const e = this.states.get(ns.toLowerCase());
    if (!e || ALWAYS_REGISTERED.includes(ns.toLowerCase()) || e.state === 'NotRegistered') return;
    e.state = 'Unregistering';
    setTimeout(() => { if (e.state === 'Unregistering') e.state = 'NotRegistered'; }, this.clock.scaled(Providers.REGISTRATION_MS)).unref();
  }
}
