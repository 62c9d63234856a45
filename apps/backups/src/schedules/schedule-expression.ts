import { CronExpressionParser } from 'cron-parser';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export class InvalidSchedule extends Error {}

/**
 * A schedule as people write it → a 5-field cron expression: `hourly`, `daily HH:MM`,
 * `weekly <mon…sun> HH:MM`, or a cron expression as is. Throws InvalidSchedule with why.
 */
export function toCron(schedule: string): string {
  const text = schedule.trim().toLowerCase().replace(/\s+/g, ' ');
  const parts = text.split(' ');
  const at = (hhmm: string | undefined): [number, number] => {
    const m = TIME.exec(hhmm ?? '');
    if (!m) throw new InvalidSchedule(`"${hhmm ?? ''}" is not a time (HH:MM, 24 h)`);
    return [Number(m[1]), Number(m[2])];
  };
  if (text === 'hourly') return '0 * * * *';
  if (parts[0] === 'daily' && parts.length === 2) {
    const [h, m] = at(parts[1]);
    return `${m} ${h} * * *`;
  }
  if (parts[0] === 'weekly' && parts.length === 3) {
    const day = DAYS.indexOf(parts[1]!.slice(0, 3));
    if (day < 0) throw new InvalidSchedule(`"${parts[1]}" is not a day of the week`);
    const [h, m] = at(parts[2]);
    return `${m} ${h} * * ${day}`;
  }
  if (parts.length !== 5) throw new InvalidSchedule('use a preset (hourly, daily HH:MM, weekly <day> HH:MM) or a 5-field cron expression');
  try {
    CronExpressionParser.parse(text);
  } catch (err) {
    throw new InvalidSchedule(`not a valid cron expression: ${(err as Error).message}`);
  }
  return text;
}

export function assertTimezone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new InvalidSchedule(`"${tz}" is not an IANA time zone`);
  }
}

/** The first run strictly after `after`, reading the expression in `timezone`. */
export function nextRun(cron: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timezone }).next().toDate();
}
