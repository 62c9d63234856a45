import { Module } from '@nestjs/common';
import { AdminBootstrapModule } from './admin-bootstrap/admin-bootstrap.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CommonModule } from './common/common.module.js';
import { KeysModule } from './keys/keys.module.js';
import { MailModule } from './mail/mail.module.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { SecurityModule } from './security/security.module.js';
import { UsersModule } from './users/users.module.js';

/** The identity service: users, credentials, tokens and keys, API keys, the audit log. */
@Module({
  imports: [
    CommonModule,
    MailModule,
    AdminBootstrapModule,
    KeysModule,
    AuthModule,
    UsersModule,
    ApiKeysModule,
    AuditModule,
    ProjectionsModule,
    SecurityModule,
  ],
})
export class AppModule {}
