// A currency's minor units, for reading a price list and for showing its prices: the digits
// after the decimal mark as Intl knows them (EUR 2, JPY 0, BHD 3).
export const fractionDigits = (currency: string): number =>
  new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** Minor units (cents) as the currency's money in `locale`: 1250 EUR is €12.50, 1250 JPY is ¥1,250. */
export const formatMinorUnits = (minor: number, locale: string, currency: string): string =>
  new Intl.NumberFormat(locale, { style: "currency", currency }).format(minor / 10 ** fractionDigits(currency));
