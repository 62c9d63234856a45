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

/**
 * `filterMatches` in SQL: `filter` a jsonb array of entries, `type` a text event type (both SQL
 * expressions). The fan-out matches endpoints in the statement that queues their deliveries.
 */
export function filterMatchesSql(filter: string, type: string): string {
  return `(jsonb_array_length(${filter}) = 0 OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(${filter}) f(p)
           WHERE p = '*' OR p = ${type} OR (right(p, 2) = '.*' AND starts_with(${type}, left(p, -1)) AND length(${type}) > length(p) - 1)))`;
}
