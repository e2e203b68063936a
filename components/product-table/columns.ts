import type { SortKey } from "@/lib/products/product-order";

// Fixed table layout: column widths come from these headers, not from whichever rows happen to
// be rendered, so columns do not jump while scrolling and a changed cell does not re-lay out the
// table. On a phone (360 px and up) the SKU column gives way (search still finds SKUs), cells
// pad less, and product, price and stock fit the screen, with the admin list's checkbox too;
// reorder level, status, update time and the admin's Edit link are a sideways scroll away.
export const COLUMNS: Array<{
  key: SortKey | null;
  label: string;
  width: string;
  numeric?: boolean;
  hidden?: boolean;
}> = [
  { key: "sku", label: "SKU", width: "hidden w-36 sm:table-cell" },
  { key: "name", label: "Product", width: "w-28 sm:w-auto" },
  { key: "price", label: "Price", width: "w-24 sm:w-28", numeric: true },
  { key: "stock", label: "Stock", width: "w-16 sm:w-24", numeric: true },
  // The low-stock threshold: at or below it a product is low (0: out) and needs reordering.
  { key: null, label: "Reorder at", width: "w-20 sm:w-24", numeric: true },
  { key: null, label: "Status", width: "w-32", hidden: true },
  { key: "updated", label: "Updated", width: "w-32", numeric: true },
];
