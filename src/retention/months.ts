const DAY_MS = 86_400_000;

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/**
 * The first instant whose inquiries are still kept, for a retention of
 * `months` calendar months ending at `now` (UTC days).
 *
 * Read as a lawyer reads "24 months" (EU Regulation 1182/71, Art. 3): a period
 * that starts on day D ends at the end of the day with the same number D
 * `months` later, or of that month's last day when it has no day D (so
 * 29 February 2024 is kept through 28 February 2026). An inquiry is purged
 * from the day after its period ended. Inquiries received on or after the
 * returned instant are kept; everything before it has expired.
 */
export function retentionCutoff(now: number, months: number): number {
  const today = new Date(now);
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth() - months;
  const d = today.getUTCDate();
  const start = new Date(Date.UTC(y, m, 1));
  const sy = start.getUTCFullYear();
  const sm = start.getUTCMonth();
  // Days D >= today's number in that month still run; if the month is too
  // short for today's number, every day of it has ended and the next month starts.
  return d <= daysInMonth(sy, sm) ? Date.UTC(sy, sm, d) : Date.UTC(sy, sm + 1, 1);
}

/** Log entries older than `days` whole days are purged. */
export function logCutoff(now: number, days: number): number {
  return now - days * DAY_MS;
}
