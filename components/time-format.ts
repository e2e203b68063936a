// Times in the shop's locale (DISPLAY_LOCALE, see money.tsx), beside money: Intl formatters are
// dear to build and every dashboard row uses two, so one of each per locale is kept.
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function relativeFormat(locale: string) {
  let format = relativeFormats.get(locale);
  if (!format)
    relativeFormats.set(locale, (format = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" })));
  return format;
}

/** Date and time, e.g. "25/11/2026, 09:30:00" in en-GB. */
export function formatDateTime(locale: string, at: number | Date) {
  let format = dateTimeFormats.get(locale);
  if (!format)
    dateTimeFormats.set(
      locale,
      (format = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium" })),
    );
  return format.format(at);
}

/** How long ago, e.g. "5 sec ago", "3 hr ago". */
export function formatAgo(locale: string, seconds: number) {
  const format = relativeFormat(locale);
  if (seconds < 60) return format.format(-seconds, "second");
  if (seconds < 3600) return format.format(-Math.floor(seconds / 60), "minute");
  if (seconds < 86400) return format.format(-Math.floor(seconds / 3600), "hour");
  return format.format(-Math.floor(seconds / 86400), "day");
}

const timeOfDayFormats = new Map<string, Intl.DateTimeFormat>();

/** Hours and minutes, e.g. "09:30" in en-GB. */
export function formatTimeOfDay(locale: string, at: number | Date) {
  let format = timeOfDayFormats.get(locale);
  if (!format)
    timeOfDayFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" })));
  return format.format(at);
}
