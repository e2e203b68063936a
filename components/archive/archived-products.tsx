// The admin's list of archived products, newest archive first, with Restore on each row.
import Link from "next/link";
import { RestoreButton } from "@/components/archive/restore-button";
import { TableFrame } from "@/components/table-frame";
import type { ProductDto } from "@/lib/products/dto";

const byArchiveNewestFirst = (a: ProductDto, b: ProductDto) => Date.parse(b.archivedAt!) - Date.parse(a.archivedAt!);

export function ArchivedProducts({ products }: { products: ProductDto[] }) {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Archived products</h1>
      {products.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          No archived products. Archive one from its admin page; it leaves the dashboard and keeps its history.
        </p>
      ) : (
        <TableFrame>
          <table className="w-full text-sm" data-testid="archived-products">
            <thead className="bg-slate-100 text-left dark:bg-slate-800">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Product
                </th>
                <th scope="col" className="px-3 py-2">
                  SKU
                </th>
                <th scope="col" className="px-3 py-2">
                  Archived
                </th>
                <th scope="col" className="px-3 py-2">
                  <span className="sr-only">Restore</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {products.toSorted(byArchiveNewestFirst).map((product) => (
                <tr key={product.id} className="border-t border-slate-100 dark:border-slate-800">
                  <td className="px-3 py-2">
                    <Link href={`/admin/products/${product.id}`} className="underline">
                      {product.name}
                    </Link>
                  </td>
                  <td className="px-3 py-2">{product.sku}</td>
                  <td className="px-3 py-2 tabular-nums">
                    <time dateTime={product.archivedAt!}>{product.archivedAt!.slice(0, 10)}</time>
                  </td>
                  <td className="px-3 py-2">
                    <RestoreButton product={product} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
    </div>
  );
}
