// AVD session host update (preview 2024-08-08-preview) as a simulator module (registered in
// ../modules.ts): session host configurations and active configurations, session host managements
// with initiate/control update and the update status, and the simulated update itself.
import type { SimModule } from '../arm/framework';
import { sessionHostConfigurationTypes } from './sessionHostConfigurations';
import { sessionHostManagementRoutes, sessionHostManagementTypes } from './sessionHostManagements';
import { checkUpdateBehaviours } from './sessionHostUpdateBehaviour';

export const sessionHostUpdateModule: SimModule = {
  name: 'AVD session host update (preview: configurations, managements, updates)',
  register(r) {
    for (const t of sessionHostConfigurationTypes()) r.type(t);
    for (const t of sessionHostManagementTypes()) r.type(t);
    for (const route of sessionHostManagementRoutes()) r.route(route);
  },
  start(sim) {
    // Fail at start, not mid-run, on a malformed scenario key.
    checkUpdateBehaviours(sim.scenario.sessionHostUpdateBehaviour);
  },
};
