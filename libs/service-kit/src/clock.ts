import { Injectable } from '@nestjs/common';

/** The time, behind a seam so tests can move it (token expiry, lockouts, key retirement). */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
