import { Global, Module } from '@nestjs/common';
import { PasswordHasher } from '../users/password-hasher.js';
import { CallerResolver } from './caller.js';
import { Clock, SystemClock } from './clock.js';
import { NodeSecureRandom, SecureRandom } from './secure-random.js';

/** The side-effect seams every feature uses (clock, randomness, password hashing) and caller resolution. */
@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, { provide: SecureRandom, useClass: NodeSecureRandom }, PasswordHasher, CallerResolver],
  exports: [Clock, SecureRandom, PasswordHasher, CallerResolver],
})
export class CommonModule {}
