"use client";
// Money is integer cents everywhere; it becomes a string only here, at the edge, in the locale
// and currency the shop configured (DISPLAY_LOCALE, DISPLAY_CURRENCY; see app/layout.tsx).
import { createContext, useContext } from "react";

export type Display = { locale: string; currency: string };
export type FormatMoney = (cents: number) => string;

const DisplayContext = createContext<Display>({ locale: "en-GB", currency: "EUR" });

export function DisplayProvider({ display, children }: { display: Display; children: React.ReactNode }) {
  return <DisplayContext value={display}>{children}</DisplayContext>;
}

// Building an Intl formatter is far dearer than using one, and every table row formats money:
// one per locale and currency for the whole page. (Times: time-format.ts.)
const formatters = new Map<string, Intl.NumberFormat>();
const moneyFormats = new Map<string, FormatMoney>();

function currencyFormatter({ locale, currency }: Display) {
  const key = `${locale} ${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) formatters.set(key, (formatter = new Intl.NumberFormat(locale, { style: "currency", currency })));
  return formatter;
}

export function useMoney(): FormatMoney {
  const display = useContext(DisplayContext);
  const key = `${display.locale} ${display.currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    const formatter = currencyFormatter(display);
    format = (cents: number) => formatter.format(cents / 100);
    moneyFormats.set(key, format);
  }
  return format;
}

/** The shop currency's symbol in its locale ("€" for EUR in en-GB), for labels such as "Price (€)". */
export function useCurrencySymbol(): string {
  const display = useContext(DisplayContext);
  const parts = currencyFormatter(display).formatToParts(0);
  return parts.find((part) => part.type === "currency")?.value ?? display.currency;
}

export const useLocale = () => useContext(DisplayContext).locale;
