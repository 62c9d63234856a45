import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock.js';
import { NodeSecureRandom, SecureRandom } from './secure-random.js';

/**
 * The side-effect seams every service's features use: the time and cryptographic randomness. A test
 * overrides exactly one of them (`.overrideProvider(Clock).useValue(fixed)`).
 */
@Global()
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: SecureRandom, useClass: NodeSecureRandom },
  ],
  exports: [Clock, SecureRandom],
})
export class SeamsModule {}
