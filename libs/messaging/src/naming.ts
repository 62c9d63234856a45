import { EVENTS_ROOT } from '@saas/contracts';

/**
 * Turns contract subjects into this deployment's subjects. SUBJECT_PREFIX is empty in production;
 * each test run gets its own ("t_3f9a."), and with it its own stream, so runs never collide.
 */
export class SubjectNaming {
  constructor(readonly prefix = '') {}

  subject(name: string): string {
    return `${this.prefix}${name}`;
  }

  event(type: string): string {
    return `${this.prefix}${EVENTS_ROOT}.${type}`;
  }

  /** Event type back from a (prefixed) subject. */
  typeOf(subject: string): string {
    return subject.slice(this.prefix.length + EVENTS_ROOT.length + 1);
  }

  get eventsWildcard(): string {
    return `${this.prefix}${EVENTS_ROOT}.>`;
  }

  /** JetStream names may not contain dots. */
  get streamName(): string {
    return `${this.prefix.replace(/\.$/, '').replace(/[^A-Za-z0-9_-]/g, '_')}${this.prefix ? '_' : ''}EVENTS`;
  }
}
