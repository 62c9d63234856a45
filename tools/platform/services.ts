import type { Type } from '@nestjs/common';
import { ServiceNames, type ServiceName } from '@saas/contracts';
import type { ServiceDataSourceOptions } from '@saas/database';

export interface ServiceSchema {
  service: ServiceName;
  entities: ServiceDataSourceOptions['entities'];
  migrations: Type[];
}

/**
 * Each backend service's entities and migrations, loaded from its app by convention
 * (`apps/<service>/src/entities.js` exports `<service>Entities`, `migrations/index.js` exports
 * `<service>Migrations`). Used by the migrate command and the entities-vs-migrations check.
 */
export async function loadServiceSchemas(): Promise<ServiceSchema[]> {
  return Promise.all(
    ServiceNames.map(async (service) => {
      const entities = await import(`../../apps/${service}/src/entities.js`);
      const migrations = await import(`../../apps/${service}/src/migrations/index.js`);
      return { service, entities: entities[`${service}Entities`], migrations: migrations[`${service}Migrations`] };
    }),
  );
}
