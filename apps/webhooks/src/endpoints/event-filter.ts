/**
 * Whether an endpoint's event-type filter takes an event type. Entries are exact types
 * (`tenant.ready`), aggregate wildcards (`tenant.*`: every `tenant.<verb>`) or `*`; an empty filter
 * takes everything.
 */
export function filterMatches(filter: readonly string[], type: string): boolean {
  if (filter.length === 0) return true;
  for (const entry of filter) {
    if (entry === '*' || entry === type) return true;
    if (entry.endsWith('.*') && type.startsWith(entry.slice(0, -1)) && type.length > entry.length - 1) return true;
  }
  return false;
}
