import { notFound } from "next/navigation";
import { ProductAdmin } from "@/components/product-admin";
import { fetchProductSnapshot } from "@/lib/products/queries";
import { productIdSchema } from "@/lib/products/validation";

export default async function ProductAdminPage({ params, searchParams }: PageProps<"/admin/products/[id]">) {
  const parsed = productIdSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const id = parsed.data;
  const snapshot = await fetchProductSnapshot();
  const loaded = snapshot.products.find((product) => product.id === id);
  if (!loaded) notFound();
  return <ProductAdmin initial={snapshot} loaded={loaded} created={(await searchParams).created === "1"} />;
}
