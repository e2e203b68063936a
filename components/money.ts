// Money is integer cents everywhere; it becomes a string only here, at the edge.
const formatter = new Intl.NumberFormat("en-GB", { style: "currency", currency: "EUR" });

export const formatCents = (cents: number) => formatter.format(cents / 100);
