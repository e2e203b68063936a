// Dates, times and counts as people read them, in the shop's DISPLAY_LOCALE and DISPLAY_TIME_ZONE
// (lib/env.ts): one module for the server and the browser, so a page shows one format whoever
// renders it, and the same on every page. Dates carry the month's name (never 07/12 vs 12/7), the
// locale's own clock (24 h, or 12 h with AM/PM) and the zone. Intl formatters are dear to build and
// every dashboard row uses two: one of each per locale and zone is kept.

/** Where and how dates are shown: the shop's locale and time zone. */
export type DateDisplay = { locale: string; timeZone: string };

const formats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(kind: string, { locale, timeZone }: DateDisplay, options: Intl.DateTimeFormatOptions) {
  const key = `${kind} ${locale} ${timeZone}`;
  let format = formats.get(key);
  if (!format) formats.set(key, (format = new Intl.DateTimeFormat(locale, { ...options, timeZone })));
  return format;
}

/**
 * A moment, to the second, with its zone: "7 Dec 2026, 20:53:15 UTC" (en-GB), "Dec 7, 2026,
 * 8:53:15 PM UTC" (en-US), "7. Dez. 2026, 20:53:15 UTC" (de-DE). Every date the pages show.
 */
export function formatDateTime(display: DateDisplay, at: number | Date) {
  return dateFormat("moment", display, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  }).format(at);
}

/** A moment to the minute, without year or zone, for the chart's axis: "7 Dec, 20:53" (en-GB). */
export function formatShortDateTime(display: DateDisplay, at: number | Date) {
  return dateFormat("short", display, { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" }).format(
    at,
  );
}

/** The zone's name as the dates show it: "UTC", "CET" (Europe/Berlin in en-GB), "GMT+1" (in en-US). */
export function zoneName(display: DateDisplay, at: number | Date = Date.now()) {
  const parts = dateFormat("zone", display, { timeZoneName: "short" }).formatToParts(at);
  return parts.find((part) => part.type === "timeZoneName")?.value ?? display.timeZone;
}

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

/** How long ago, e.g. "5 sec ago", "3 hr ago" (the exact moment goes in a title: formatDateTime). */
export function formatAgo(locale: string, seconds: number) {
  let format = relativeFormats.get(locale);
  if (!format)
    relativeFormats.set(locale, (format = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" })));
  if (seconds < 60) return format.format(-seconds, "second");
  if (seconds < 3600) return format.format(-Math.floor(seconds / 60), "minute");
  if (seconds < 86400) return format.format(-Math.floor(seconds / 3600), "hour");
  return format.format(-Math.floor(seconds / 86400), "day");
}

const countFormats = new Map<string, Intl.NumberFormat>();

/** A whole number in the locale: 12,345 (en-GB), 12.345 (de-DE). */
export function formatCount(locale: string, count: number) {
  let format = countFormats.get(locale);
  if (!format) countFormats.set(locale, (format = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })));
  return format.format(count);
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** How far the zone's clocks are ahead of UTC at `at` (ms; negative west of Greenwich). */
function zoneOffset(timeZone: string, at: number) {
  const parts = dateFormat(
    "offset",
    { locale: "en-US", timeZone },
    {
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
      era: "short",
    },
  ).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const year = parts.find((p) => p.type === "era")?.value === "BC" ? 1 - part("year") : part("year");
  const wall = new Date(0);
  wall.setUTCFullYear(year, part("month") - 1, part("day"));
  wall.setUTCHours(part("hour"), part("minute"), part("second"));
  return wall.getTime() - Math.floor(at / 1000) * 1000;
}

/**
 * The moment a calendar day (YYYY-MM-DD) starts in a time zone, or null for no such day: the
 * history's date filters count days in DISPLAY_TIME_ZONE. `days` later days on (1: where it ends).
 */
export function startOfDay(day: string, timeZone: string, days = 0): Date | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const [year, month, date] = match.slice(1).map(Number);
  const midnight = new Date(0);
  midnight.setUTCFullYear(year, month - 1, date);
  // Date rolls 2026-02-30 over to March 2: not a day of the calendar.
  if (midnight.getUTCMonth() !== month - 1) return null;
  midnight.setUTCDate(date + days);
  // Midnight on the zone's clock: back by the zone's offset there, or by the offset at that first
  // guess (the clocks changed in between). Where clocks skip midnight, the day starts at the
  // earliest of the two that is on the day.
  const onTheDay = (at: number) => new Date(at + zoneOffset(timeZone, at)).getUTCDate() === midnight.getUTCDate();
  const first = midnight.getTime() - zoneOffset(timeZone, midnight.getTime());
  const second = midnight.getTime() - zoneOffset(timeZone, first);
  const candidates = [first, second].filter(onTheDay).sort((a, b) => a - b);
  return new Date(candidates[0] ?? first);
}
