import { Global, Module } from '@nestjs/common';
import { SchedulingModule, SeamsModule } from '@saas/service-kit';
import { PasswordHasher } from '../users/password-hasher.js';
import { CallerResolver } from './caller.js';

/**
 * What every feature uses: the seams (clock and randomness) and scheduled work from the service kit,
 * password hashing and caller resolution.
 */
@Global()
@Module({
  imports: [SeamsModule, SchedulingModule],
  providers: [PasswordHasher, CallerResolver],
  exports: [SeamsModule, SchedulingModule, PasswordHasher, CallerResolver],
})
export class CommonModule {}
