import { ResourceManagementClient } from '@azure/arm-resources';
import { AzureContext } from './clients';
import { Logger } from '../core/logger';
import { poll } from '../core/poll';

/**
 * Pre-flight: the resource providers a task needs are registered in the connection's subscription.
 * An unregistered provider otherwise surfaces minutes later as MissingSubscriptionRegistration.
 * With `register`, unregistered providers are registered (needs the providers register action on
 * the subscription).
 */
export async function requireProviders(
  azure: AzureContext,
  namespaces: string[],
  log: Logger,
  signal: AbortSignal,
  register = false,
): Promise<void> {
  const client = new ResourceManagementClient(
    azure.credential,
    azure.subscriptionId,
    azure.clientOptions,
  );
  const states = await Promise.all(
    namespaces.map(async (ns) => {
      const provider = await client.providers.get(ns, { abortSignal: signal });
      return { ns, state: provider.registrationState ?? 'Unknown' };
    }),
  );
  const missing = states.filter((p) => p.state.toLowerCase() !== 'registered');
  const subscription = azure.connection.subscriptionName
    ? `'${azure.connection.subscriptionName}' (${azure.subscriptionId})`
    : azure.subscriptionId;
  if (missing.length === 0) {
    log.debug(
      `Resource providers registered in subscription ${subscription}: ${namespaces.join(', ')}`,
    );
    return;
  }
  if (!register) {
    throw new Error(
      `Resource provider(s) not registered in subscription ${subscription}: ` +
        `${missing.map((p) => `${p.ns} (${p.state})`).join(', ')}. Register them once: ` +
        missing.map((p) => `az provider register --namespace ${p.ns}`).join('; '),
    );
  }
  for (const { ns } of missing) {
    log.info(`Registering resource provider ${ns} in subscription ${subscription}...`);
    await client.providers.register(ns, { abortSignal: signal });
  }
  // Registration takes a minute or two (Registering -> Registered); requests to the namespace fail
  // until then.
  const { value: pending, done } = await poll({
    read: () =>
      Promise.all(
        missing.map(async ({ ns }) => ({
          ns,
          state:
            (await client.providers.get(ns, { abortSignal: signal })).registrationState ??
            'Unknown',
        })),
      ),
    done: (states) => states.every((p) => p.state.toLowerCase() === 'registered'),
    intervalMs: 250,
    backoff: 2,
    maxIntervalMs: 10_000,
    timeoutMs: REGISTRATION_WAIT_MS,
    signal,
  });
  if (!done) {
    const still = pending.filter((p) => p.state.toLowerCase() !== 'registered');
    throw new Error(
      `Resource provider(s) still not registered after ${REGISTRATION_WAIT_MS / 60_000} ` +
        `minutes: ${still.map((p) => `${p.ns} (${p.state})`).join(', ')}. Run again once az ` +
        `provider show --namespace ${still[0].ns} says Registered.`,
    );
  }
  log.info(`Registered: ${missing.map((p) => p.ns).join(', ')}.`);
}

const REGISTRATION_WAIT_MS = 10 * 60_000;
