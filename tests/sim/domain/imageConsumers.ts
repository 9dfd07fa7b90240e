// What uses gallery images, as a simulator module (registered in ../modules.ts): virtual
// machines with their extensions, NICs, disks and virtual networks; Azure Virtual Desktop host
// pools, session hosts (registered by the simulated AVD agent), user sessions and scaling plans;
// Dev Box dev centers, attached galleries and dev box definitions; virtual machine scale sets.
import type { SimModule } from '../arm/framework';
import { desktopVirtualizationRoutes, desktopVirtualizationTypes } from './desktopVirtualization';
import { devCenterRoutes, devCenterTypes } from './devCenter';
import { diskTypes } from './disks';
import { networkTypes } from './network';
import { scaleSetTypes } from './scaleSets';
import { checkBehaviours } from './sessionHostAgent';
import { virtualMachineTypes } from './virtualMachines';

export const imageConsumersModule: SimModule = {
  name: 'image consumers (VMs, networks, disks, AVD, Dev Box, scale sets)',
  register(r) {
    for (const t of networkTypes()) r.type(t);
    for (const t of diskTypes()) r.type(t);
    for (const t of virtualMachineTypes()) r.type(t);
    for (const t of desktopVirtualizationTypes()) r.type(t);
    for (const route of desktopVirtualizationRoutes()) r.route(route);
    for (const t of devCenterTypes()) r.type(t);
    for (const route of devCenterRoutes()) r.route(route);
    for (const t of scaleSetTypes()) r.type(t);
  },
  start(sim) {
    // Fail at start, not mid-run, on a malformed scenario key.
    checkBehaviours(sim.scenario.sessionHostBehaviour);
  },
};
