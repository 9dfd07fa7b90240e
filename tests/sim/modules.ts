// The resource modules the simulator loads, in order. A new module is one line here (see
// README.md).
import type { SimModule } from './arm/framework';
import { imageBuildingModule } from './domain';
import { imageConsumersModule } from './domain/imageConsumers';
import { sessionHostUpdateModule } from './domain/sessionHostUpdateModule';
import { authorizationModule } from './resources/authorization';
import { identitiesModule } from './resources/identities';
import { providersModule } from './resources/providers';
import { resourceGroupsModule } from './resources/resourceGroups';
import { storageAccountsModule } from './resources/storageAccounts';
import { subscriptionsModule } from './resources/subscriptions';

export const modules: SimModule[] = [
  subscriptionsModule,
  providersModule,
  resourceGroupsModule,
  identitiesModule,
  authorizationModule,
  storageAccountsModule,
  imageBuildingModule,
  imageConsumersModule,
  sessionHostUpdateModule,
];
