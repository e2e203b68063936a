"use client";
// Money is integer cents everywhere; it becomes a string only here, at the edge, in the locale
// and currency the shop configured (DISPLAY_LOCALE, DISPLAY_CURRENCY; see app/layout.tsx).
import { createContext, useContext, useMemo } from "react";

export type Display = { locale: string; currency: string };
export type FormatMoney = (cents: number) => string;

const DisplayContext = createContext<Display>({ locale: "en-GB", currency: "EUR" });

export function DisplayProvider({ display, children }: { display: Display; children: React.ReactNode }) {
  return <DisplayContext value={display}>{children}</DisplayContext>;
}

export function useMoney(): FormatMoney {
  const { locale, currency } = useContext(DisplayContext);
  return useMemo(() => {
    const formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    return (cents: number) => formatter.format(cents / 100);
  }, [locale, currency]);
}

export const useLocale = () => useContext(DisplayContext).locale;
