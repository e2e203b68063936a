// The webhook data the admin pages show (URLs with their tokens, delivery errors, who made them):
// each loader checks for a signed-in admin itself, so a page cannot forget (lib/auth/page-access.ts).
import { requireAdminPage } from "@/lib/auth/page-access";
import { fetchWebhook, listDeliveries, listWebhooks } from "@/lib/webhooks/subscriptions";

export async function webhooksForAdmin() {
  await requireAdminPage();
  return listWebhooks();
}

export async function webhookForAdmin(id: number) {
  await requireAdminPage();
  return fetchWebhook(id);
}

/** The newest page of the delivery log. */
export async function deliveriesForAdmin(id: number, limit: number) {
  await requireAdminPage();
  return listDeliveries(id, limit);
}
