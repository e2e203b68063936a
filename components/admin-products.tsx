"use client";
// The admin list: the dashboard's table (search, filter and sort in the URL, virtualised, live)
// made selectable, with a bar that adjusts or sets the stock of every selected product at once
// and a link to each product's edit page. It replaces the per-row quick stock edit: selecting
// one row and "Set to" does the same, with a reason in the history, and rows stay light.
import Link from "next/link";
import { BulkStockBar } from "@/components/bulk-stock-bar";
import { ProductTable } from "@/components/product-table/product-table";
import type { ProductSnapshot } from "@/lib/products/queries";

export function AdminProducts({ initial }: { initial: ProductSnapshot }) {
  return (
    <ProductTable
      initial={initial}
      title="Manage products"
      actions={
        <Link
          href="/admin/products/new"
          className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white dark:bg-slate-100 dark:text-slate-900"
        >
          New product
        </Link>
      }
      bulk={(selection) => <BulkStockBar {...selection} />}
      canEdit
      canAddProducts
      showStockValue
    />
  );
}
