import { Module } from '@nestjs/common';
import { AdminBootstrapController } from './admin-bootstrap.controller.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';

@Module({ controllers: [AdminBootstrapController], providers: [AdminBootstrapService] })
export class AdminBootstrapModule {}
