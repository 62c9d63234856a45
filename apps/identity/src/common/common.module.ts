import { Global, Module } from '@nestjs/common';
import { SeamsModule } from '@saas/service-kit';
import { PasswordHasher } from '../users/password-hasher.js';
import { CallerResolver } from './caller.js';

/** The seams every feature uses (clock and randomness from the service kit, password hashing) and caller resolution. */
@Global()
@Module({
  imports: [SeamsModule],
  providers: [PasswordHasher, CallerResolver],
  exports: [SeamsModule, PasswordHasher, CallerResolver],
})
export class CommonModule {}
