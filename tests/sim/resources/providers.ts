// Resource providers of a subscription: GET /subscriptions/{s}/providers[/{ns}] and POST
// .../{ns}/register (Registering, then Registered after a scaled delay) and .../unregister, each
// subscription on its own.
import { armErrors } from '../arm/errors';
import type { ArmRequest, SimModule } from '../arm/framework';
import { paged } from '../arm/helpers';
import { KNOWN_LOCATIONS } from './subscriptions';

function providerView(req: ArmRequest, ns: string): unknown {
  const name = req.sim.providers.name(ns) ?? ns;
  const types = req.sim.types
    .all()
    .filter((d) => d.type.split('/')[0].toLowerCase() === ns.toLowerCase());
  return {
    id: `/subscriptions/${req.subscriptionId}/providers/${name}`,
    namespace: name,
    registrationState: req.sim.providers.state(req.subscriptionId, name),
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: types.map((d) => ({
      resourceType: d.type.split('/').slice(1).join('/'),
      locations: KNOWN_LOCATIONS.map((l) => l.displayName),
      apiVersions: d.apiVersions ?? [],
      capabilities: 'None',
    })),
  };
}

function knownNamespace(req: ArmRequest, ns: string): string {
  if (!req.sim.providers.known(ns)) throw armErrors.invalidResourceNamespace(ns);
  return ns;
}

export const providersModule: SimModule = {
  name: 'resource providers',
  register(r) {
    r.route({
      method: 'GET',
      pattern: /^\/subscriptions\/[^/]+\/providers$/i,
      handle: (req) =>
        paged(
          req,
          req.sim.providers.all(req.subscriptionId).map((p) => providerView(req, p.name)),
        ),
    });
    r.route({
      method: 'GET',
      pattern: /^\/subscriptions\/[^/]+\/providers\/([^/]+)$/i,
      handle: (req, m) => ({
        status: 200,
        body: providerView(req, knownNamespace(req, decodeURIComponent(m[1]))),
      }),
    });
    r.route({
      method: 'POST',
      pattern: /^\/subscriptions\/[^/]+\/providers\/([^/]+)\/(register|unregister)$/i,
      authorize: (req, m) => ({
        action: `${decodeURIComponent(m[1])}/${m[2].toLowerCase()}/action`,
        scope: `/subscriptions/${req.subscriptionId}`,
      }),
      handle: (req, m) => {
        const ns = knownNamespace(req, decodeURIComponent(m[1]));
        if (m[2].toLowerCase() === 'register') req.sim.providers.register(req.subscriptionId, ns);
        else req.sim.providers.unregister(req.subscriptionId, ns);
        return { status: 200, body: providerView(req, ns) };
      },
    });
  },
};
