import { Global, Module } from '@nestjs/common';
import { SeamsModule } from '@saas/service-kit';
import { MaintenanceController } from './maintenance.controller.js';
import { MaintenanceStore } from './maintenance.store.js';

/** Maintenance mode: the admin switch and the store every replica reads (the gate is in the HTTP pipeline). */
@Global()
@Module({ imports: [SeamsModule], controllers: [MaintenanceController], providers: [MaintenanceStore], exports: [MaintenanceStore] })
export class MaintenanceModule {}
