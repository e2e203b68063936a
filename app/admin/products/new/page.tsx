import { ProductForm } from "@/components/product-form";
import { requireAdminPage } from "@/lib/auth/page-access";

export default async function NewProductPage() {
  await requireAdminPage();
  return (
    <div className="max-w-3xl space-y-4">
      <h1 className="text-2xl font-semibold">New product</h1>
      <ProductForm />
    </div>
  );
}
