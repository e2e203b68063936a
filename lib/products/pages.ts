// What pages show of products beyond the public read API, each loader checking who asks itself
// (lib/auth/page-access.ts): the archived list and a product's admin page are for admins. (The
// names of the people who made changes are for staff: GET /api/v1/events/suggestions checks.)
import { requireAdminPage } from "@/lib/auth/page-access";
import { fetchProductSnapshot, findProduct } from "@/lib/products/queries";

export async function archivedProductsForAdmin() {
  await requireAdminPage();
  return (await fetchProductSnapshot({ archived: "true" })).products;
}

/** A product's admin page: every active product (for its live form) and this one, archived or not. */
export async function productForAdmin(id: number) {
  await requireAdminPage();
  return Promise.all([fetchProductSnapshot(), findProduct(id)]);
}
