import { findOr404 } from "@/lib/page-lookup";
import { fetchWebhook } from "@/lib/webhooks/subscriptions";
import { webhookIdSchema } from "@/lib/webhooks/validation";

// Whether the webhook exists is settled here, before loading.tsx streams, so a 404 keeps its status.
export default async function WebhookLayout({ children, params }: LayoutProps<"/admin/webhooks/[id]">) {
  await findOr404((await params).id, webhookIdSchema, fetchWebhook);
  return children;
}
