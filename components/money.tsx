"use client";
// Money is an integer amount in the currency's minor unit everywhere (lib/money.ts); it becomes a
// string only here, at the edge, in the locale and currency the shop configured (DISPLAY_LOCALE,
// DISPLAY_CURRENCY; see app/layout.tsx). Dates: lib/display-format.ts, in DISPLAY_TIME_ZONE too.
import { createContext, useContext } from "react";
import { currencyFormatter, fromMinorUnits } from "@/lib/money";
import type { DateDisplay } from "@/lib/display-format";

export type Display = { locale: string; currency: string; timeZone: string };
export type FormatMoney = (minorUnits: number) => string;

const DisplayContext = createContext<Display>({ locale: "en-GB", currency: "EUR", timeZone: "UTC" });

export function DisplayProvider({ display, children }: { display: Display; children: React.ReactNode }) {
  return <DisplayContext value={display}>{children}</DisplayContext>;
}

// Every table row formats money: one function per locale and currency for the whole page.
// (Times: lib/display-format.ts.)
const moneyFormats = new Map<string, FormatMoney>();

export function useMoney(): FormatMoney {
  const { locale, currency } = useContext(DisplayContext);
  const key = `${locale} ${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    const formatter = currencyFormatter(locale, currency);
    format = (minorUnits: number) => formatter.format(fromMinorUnits(minorUnits, currency));
    moneyFormats.set(key, format);
  }
  return format;
}

/** The shop currency's symbol in its locale ("€" for EUR in en-GB), for labels such as "Price (€)". */
export function useCurrencySymbol(): string {
  const { locale, currency } = useContext(DisplayContext);
  const parts = currencyFormatter(locale, currency).formatToParts(0);
  return parts.find((part) => part.type === "currency")?.value ?? currency;
}

export const useLocale = () => useContext(DisplayContext).locale;
export const useCurrency = () => useContext(DisplayContext).currency;
/** The shop's locale and time zone, for lib/display-format.ts. */
export const useDateDisplay = (): DateDisplay => useContext(DisplayContext);
