import { notFound } from "next/navigation";
import { ProductAdmin } from "@/components/product-admin";
import { fetchProductSnapshot, findProduct } from "@/lib/products/queries";
import { productIdSchema } from "@/lib/products/validation";

export default async function ProductAdminPage({ params, searchParams }: PageProps<"/admin/products/[id]">) {
  const parsed = productIdSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const id = parsed.data;
  // The product on its own: an archived one is not in the (active) snapshot but keeps its page.
  const [snapshot, loaded] = await Promise.all([fetchProductSnapshot(), findProduct(id)]);
  if (!loaded) notFound();
  return <ProductAdmin initial={snapshot} loaded={loaded} created={(await searchParams).created === "1"} />;
}
