// The tenant's subscriptions: the scenario's `subscriptions`, or the one SIM_IDS names. Resources
// live in any of them; a path naming another answers SubscriptionNotFound.
import type { Scenario, SubscriptionSpec } from '../types';
import { sameId } from './paths';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class Subscriptions {
  readonly all: SubscriptionSpec[];

  constructor(scenario: Scenario, fallback: { subscriptionId: string; displayName: string }) {
    const declared: NonNullable<Scenario['subscriptions']> = scenario.subscriptions ?? [fallback];
    if (!Array.isArray(declared) || declared.length === 0)
      throw new Error(
        'scenario "subscriptions" needs at least one { "subscriptionId", "displayName" }',
      );
    this.all = declared.map((s, i) => {
      if (!s || typeof s.subscriptionId !== 'string' || !GUID.test(s.subscriptionId)) {
        throw new Error(
          `scenario subscriptions[${i}]: "subscriptionId" must be a GUID, got ` +
            `${JSON.stringify(s?.subscriptionId)}`,
        );
      }
      return {
        subscriptionId: s.subscriptionId.toLowerCase(),
        displayName: s.displayName ?? `Subscription ${i + 1}`,
        ...(s.providers ? { providers: s.providers } : {}),
      };
    });
    const ids = this.all.map((s) => s.subscriptionId);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new Error(`scenario subscriptions: ${twice} is declared twice`);
  }

  /** The first declared: the one clients use unless told otherwise. */
  get primary(): SubscriptionSpec {
    return this.all[0];
  }

  get(subscriptionId: string): SubscriptionSpec | undefined {
    return this.all.find((s) => sameId(s.subscriptionId, subscriptionId));
  }

  /** Scenario resources may live in any declared subscription, and only there. */
  requireDeclared(resources: Array<{ id?: unknown }>): void {
    for (const r of resources) {
      const sub = typeof r?.id === 'string' ? subscriptionOf(r.id) : undefined;
      if (sub !== undefined && !this.get(sub)) {
        throw new Error(
          `scenario resource ${String(r.id)} is in subscription ${sub}, which the scenario ` +
            `does not declare (its "subscriptions": ` +
            `${this.all.map((s) => s.subscriptionId).join(', ')})`,
        );
      }
    }
  }
}

/** The subscription id a path or resource id starts with ("/subscriptions/{id}/..."), decoded. */
export function subscriptionOf(path: string): string | undefined {
  const m = /^\/subscriptions\/([^/?]+)/i.exec(path);
  return m ? decodeURIComponent(m[1]) : undefined;
}
