import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module.js';
import { SecurityModule } from '../security/security.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { UserTokensService } from './user-tokens.service.js';

@Module({
  imports: [KeysModule, SessionsModule, SecurityModule],
  controllers: [AuthController],
  providers: [AuthService, UserTokensService, LoginThrottleService],
  exports: [LoginThrottleService],
})
export class AuthModule {}
