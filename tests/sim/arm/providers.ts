// Resource provider registration, per subscription as in Azure. The scenario's `providers` applies
// to every subscription, a subscription's own `providers` over it; requests to a namespace not
// registered in the request's subscription fail with MissingSubscriptionRegistration until POST
// .../providers/{ns}/register completes (Registering -> Registered after a scaled delay, as in
// Azure).
import { armErrors } from './errors';
import type { SimClock } from '../core/clock';
import type { SubscriptionSpec } from '../types';

export type RegistrationState = 'Registered' | 'NotRegistered' | 'Registering' | 'Unregistering';

type Initial = Record<string, string>;

/** Namespaces that are registered everywhere and cannot be unregistered. */
const ALWAYS_REGISTERED = ['microsoft.resources', 'microsoft.authorization'];

/** Namespaces ARM knows even when the simulator implements none of their types. */
const WELL_KNOWN = [
  'Microsoft.Resources',
  'Microsoft.Authorization',
  'Microsoft.Compute',
  'Microsoft.Storage',
  'Microsoft.Network',
  'Microsoft.ManagedIdentity',
  'Microsoft.VirtualMachineImages',
  'Microsoft.ContainerInstance',
  'Microsoft.KeyVault',
  'Microsoft.DesktopVirtualization',
  'Microsoft.DevCenter',
  'Microsoft.Insights',
  'Microsoft.OperationalInsights',
];

interface Entry {
  name: string;
  state: RegistrationState;
}

export class Providers {
  /** Subscription id (lower case) -> namespace (lower case) -> state. */
  private readonly bySubscription = new Map<string, Map<string, Entry>>();
  /** Canonical names of every namespace known in any subscription. */
  private readonly names = new Map<string, string>();
  /** Nominal time a registration takes. */
  static readonly REGISTRATION_MS = 60_000;

  constructor(
    private readonly clock: SimClock,
    namespaces: string[],
    subscriptions: SubscriptionSpec[],
    initial: Initial = {},
  ) {
    for (const ns of [
      ...WELL_KNOWN,
      ...namespaces,
      ...Object.keys(initial),
      ...subscriptions.flatMap((s) => Object.keys(s.providers ?? {})),
    ]) {
      if (!this.names.has(ns.toLowerCase())) this.names.set(ns.toLowerCase(), ns);
    }
    for (const s of subscriptions) {
      const states = new Map<string, Entry>();
      for (const [key, name] of this.names) states.set(key, { name, state: 'Registered' });
      for (const [ns, state] of [
        ...Object.entries(initial),
        ...Object.entries(s.providers ?? {}),
      ]) {
        if (ALWAYS_REGISTERED.includes(ns.toLowerCase())) continue;
        states.get(ns.toLowerCase())!.state =
          state === 'NotRegistered' ? 'NotRegistered' : 'Registered';
      }
      this.bySubscription.set(s.subscriptionId.toLowerCase(), states);
    }
  }

  private entry(subscriptionId: string, ns: string): Entry | undefined {
    return this.bySubscription.get(subscriptionId.toLowerCase())?.get(ns.toLowerCase());
  }

  known(ns: string): boolean {
    return this.names.has(ns.toLowerCase());
  }

  /** Canonical casing of a namespace, or undefined when unknown. */
  name(ns: string): string | undefined {
    return this.names.get(ns.toLowerCase());
  }

  state(subscriptionId: string, ns: string): RegistrationState {
    return this.entry(subscriptionId, ns)?.state ?? 'NotRegistered';
  }

  all(subscriptionId: string): Array<{ name: string; state: RegistrationState }> {
    return [...(this.bySubscription.get(subscriptionId.toLowerCase())?.values() ?? [])];
  }

  /**
   * Throws MissingSubscriptionRegistration unless the namespace is registered in the subscription.
   */
  require(subscriptionId: string, ns: string): void {
    if (ALWAYS_REGISTERED.includes(ns.toLowerCase())) return;
    const e = this.entry(subscriptionId, ns);
    if (e && e.state !== 'Registered') throw armErrors.missingSubscriptionRegistration(e.name);
  }

  register(subscriptionId: string, ns: string): void {
    const e = this.entry(subscriptionId, ns);
    if (!e || e.state === 'Registered' || e.state === 'Registering') return;
    e.state = 'Registering';
    setTimeout(() => {
      if (e.state === 'Registering') e.state = 'Registered';
    }, this.clock.scaled(Providers.REGISTRATION_MS)).unref();
  }

  unregister(subscriptionId: string, ns: string): void {
    const e = this.entry(subscriptionId, ns);
    if (!e || ALWAYS_REGISTERED.includes(ns.toLowerCase()) || e.state === 'NotRegistered') return;
    e.state = 'Unregistering';
    setTimeout(() => {
      if (e.state === 'Unregistering') e.state = 'NotRegistered';
    }, this.clock.scaled(Providers.REGISTRATION_MS)).unref();
  }
}
