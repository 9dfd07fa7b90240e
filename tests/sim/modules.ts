// The resource modules the simulator loads, in order. A new module is one line here (see README.md).
import type { SimModule } from './arm/framework';
import { resourceGroupsModule } from './resources/resourceGroups';
import { subscriptionsModule } from './resources/subscriptions';

export const modules: SimModule[] = [
  subscriptionsModule,
  resourceGroupsModule,
];
