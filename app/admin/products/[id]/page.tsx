import { notFound } from "next/navigation";
import { ProductAdmin } from "@/components/product-admin";
import { requireAdminPage } from "@/lib/auth/page-access";
import { productForAdmin } from "@/lib/products/pages";
import { productIdSchema } from "@/lib/products/validation";

export default async function ProductAdminPage({ params, searchParams }: PageProps<"/admin/products/[id]">) {
  // Before the id is looked at: a 404 must not tell a stranger which products exist.
  await requireAdminPage();
  const parsed = productIdSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  // The product on its own: an archived one is not in the (active) snapshot but keeps its page.
  const [snapshot, loaded] = await productForAdmin(parsed.data);
  if (!loaded) notFound();
  return <ProductAdmin initial={snapshot} loaded={loaded} created={(await searchParams).created === "1"} />;
}
