// What pages show of products beyond the public read API, each loader checking who asks itself
// (lib/auth/page-access.ts): the archived list and a product's admin page are for admins, the
// names of the people who made changes for staff.
import { pageUser, requireAdminPage } from "@/lib/auth/page-access";
import { fetchActors } from "@/lib/products/history";
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

/** The people and tokens that made changes, for staff; nobody else gets any. */
export async function actorsForStaff(): Promise<string[]> {
  return (await pageUser()) ? fetchActors() : [];
}
