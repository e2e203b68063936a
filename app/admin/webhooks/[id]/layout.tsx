import { requireAdminPage } from "@/lib/auth/page-access";
import { findOr404 } from "@/lib/page-lookup";
import { webhookForAdmin } from "@/lib/webhooks/pages";
import { webhookIdSchema } from "@/lib/webhooks/validation";

// Who may see it, then whether the webhook exists, settled here before loading.tsx streams, so a
// redirect, 403 or 404 keeps its status; who first, so a 404 tells a stranger nothing.
export default async function WebhookLayout({ children, params }: LayoutProps<"/admin/webhooks/[id]">) {
  await requireAdminPage();
  await findOr404((await params).id, webhookIdSchema, webhookForAdmin);
  return children;
}
