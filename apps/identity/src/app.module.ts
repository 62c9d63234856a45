import { Module } from '@nestjs/common';
import { AdminBootstrapModule } from './admin-bootstrap/admin-bootstrap.module.js';

/** The identity service: users and credentials (more with the identity issue). */
@Module({ imports: [AdminBootstrapModule] })
export class AppModule {}
