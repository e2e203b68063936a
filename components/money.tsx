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
// one per locale and currency for the whole page.
const formatters = new Map<string, FormatMoney>();

export function useMoney(): FormatMoney {
  const { locale, currency } = useContext(DisplayContext);
  const key = `${locale} ${currency}`;
  let format = formatters.get(key);
  if (!format) {
    const formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    format = (cents: number) => formatter.format(cents / 100);
    formatters.set(key, format);
  }
  return format;
}

export const useLocale = () => useContext(DisplayContext).locale;
