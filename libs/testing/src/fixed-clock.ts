/**
 * A clock that stands still until told to move, for the service kit's Clock seam
 * (`new AccessTokenIssuer(keys, new FixedClock(at), …)`, or `jest.spyOn(app.get(Clock), 'now')` in a
 * running service). Structurally a Clock, so this lib needs no dependency on the service kit.
 */
export class FixedClock {
  constructor(public at: Date = new Date('2026-01-01T00:00:00Z')) {}

  now(): Date {
    return new Date(this.at);
  }

  /** Moves the clock on by `ms` (back, when negative) and returns the new time. */
  advance(ms: number): Date {
    this.at = new Date(this.at.getTime() + ms);
    return this.now();
  }
}
