// How an error message names a product for the people who read it (the admin pages show API
// messages as they are): by its name and SKU, which staff know, never by its database id alone,
// which they do not. Clients that need the id have it in the error's `current` (and `index`).

/** “Oat milk, 1 l” (OAT-1L) */
export const productName = (product: { name: string; sku: string }) => `“${product.name}” (${product.sku})`;
