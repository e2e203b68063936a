"use client";
// A row's link to the product's edit page, for admins (the admin list and the dashboard).
import Link from "next/link";
import type { ProductDto } from "@/lib/products/dto";

export function EditLink({ product }: { product: ProductDto }) {
  return (
    <Link
      href={`/admin/products/${product.id}`}
      // No prefetch: scrolling a large shop would fetch an edit page for every row shown.
      prefetch={false}
      aria-label={`Edit ${product.name}`}
      className="underline"
    >
      Edit
    </Link>
  );
}
