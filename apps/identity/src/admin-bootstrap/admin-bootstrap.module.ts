import { Module } from '@nestjs/common';
import { PasswordHasher } from '../users/password-hasher.js';
import { AdminBootstrapController } from './admin-bootstrap.controller.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';

@Module({ controllers: [AdminBootstrapController], providers: [AdminBootstrapService, PasswordHasher] })
export class AdminBootstrapModule {}
