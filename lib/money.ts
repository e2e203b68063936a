// Money is an integer amount in the minor unit of the shop's currency (DISPLAY_CURRENCY): cents
// for EUR (1250 = €12.50), yen for JPY, which has none (1500 = ¥1,500), fils for BHD, which has
// three (1250 = BHD 1.250). The API's `priceCents` is this amount, whatever the currency. These
// helpers are the one place that knows how many digits a currency's minor unit has: the display,
// the product form and the server (CSV import and export) all convert through them.

const digitsByCurrency = new Map<string, number>();

/** How many digits the currency's minor unit has: 2 for EUR, 0 for JPY, 3 for BHD (ISO 4217, from Intl). */
export function fractionDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    // The digits are the currency's, not the locale's: any locale answers the same.
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** Minor units -> the amount in major units, as a number: 1250 EUR -> 12.5; 1500 JPY -> 1500. */
export function fromMinorUnits(minor: number, currency: string): number {
  return minor / 10 ** fractionDigits(currency);
}

/** An amount in major units -> minor units, rounded to the nearest: 12.5 EUR -> 1250; 1500 JPY -> 1500. */
export function toMinorUnits(amount: number, currency: string): number {
  return Math.round(amount * 10 ** fractionDigits(currency));
}

/**
 * Minor units as a plain amount to type or export, with exactly the currency's digits: "12.50",
 * "1500", "1.250", "-0.05". Exact: the digits are moved as text, no floating point.
 */
export function formatAmount(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  if (digits === 0) return String(minor);
  const padded = String(Math.abs(minor)).padStart(digits + 1, "0");
  return `${minor < 0 ? "-" : ""}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** An example amount of the currency, for hints and messages: "12.50" (EUR), "1500" (JPY), "12.500" (BHD). */
export function exampleAmount(currency: string): string {
  const digits = fractionDigits(currency);
  return digits === 0 ? "1500" : `12.${"50".padEnd(digits, "0").slice(0, digits)}`;
}

/**
 * Parses a typed amount ("12.50", "12,5", "1500") into minor units, digit by digit (no floating
 * point: "0.29" is 29, not 28.999…). At most the currency's digits after the separator, none for
 * a currency without a minor unit. Null when the text is not such an amount.
 */
export function parseAmount(text: string, currency: string): number | null {
  const digits = fractionDigits(currency);
  const pattern = digits === 0 ? /^(\d+)$/ : new RegExp(`^(\\d+)(?:[.,](\\d{1,${digits}}))?$`);
  const match = pattern.exec(text.trim());
  if (!match) return null;
  const [, whole, fraction = ""] = match;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || 0);
}

const formatters = new Map<string, Intl.NumberFormat>();

/** The shared formatter of a locale and currency: building one is far dearer than using it. */
export function currencyFormatter(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale} ${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) formatters.set(key, (formatter = new Intl.NumberFormat(locale, { style: "currency", currency })));
  return formatter;
}

/** Minor units as money for people: 1250 EUR in en-GB -> "€12.50"; 1500 JPY in en-US -> "¥1,500". */
export function formatMoney(minor: number, locale: string, currency: string): string {
  return currencyFormatter(locale, currency).format(fromMinorUnits(minor, currency));
}
