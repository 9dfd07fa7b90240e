// What uses gallery images, as a simulator module (registered in ../modules.ts): Azure Virtual
// Desktop host pools, session hosts and user sessions; Dev Box dev centers, attached galleries and
// dev box definitions; virtual machine scale sets.
import type { SimModule } from '../arm/framework';
import { desktopVirtualizationRoutes, desktopVirtualizationTypes } from './desktopVirtualization';
import { devCenterRoutes, devCenterTypes } from './devCenter';
import { scaleSetTypes } from './scaleSets';

export const imageConsumersModule: SimModule = {
  name: 'image consumers (AVD host pools, Dev Box dev centers, scale sets)',
  register(r) {
    for (const t of desktopVirtualizationTypes()) r.type(t);
    for (const route of desktopVirtualizationRoutes()) r.route(route);
    for (const t of devCenterTypes()) r.type(t);
    for (const route of devCenterRoutes()) r.route(route);
    for (const t of scaleSetTypes()) r.type(t);
  },
};
