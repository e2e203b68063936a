import { notFound } from "next/navigation";
import { WebhookAdmin } from "@/components/webhooks/webhook-admin";
import { ApiError } from "@/lib/errors";
import { fetchWebhook, listDeliveries } from "@/lib/webhooks/subscriptions";
import { webhookIdSchema } from "@/lib/webhooks/validation";

export default async function WebhookPage({ params }: PageProps<"/admin/webhooks/[id]">) {
  const parsed = webhookIdSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const loaded = await Promise.all([fetchWebhook(parsed.data), listDeliveries(parsed.data, 20)]).catch((error) => {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  });
  if (!loaded) notFound();
  const [webhook, deliveries] = loaded;
  return <WebhookAdmin initial={webhook} deliveries={deliveries} />;
}
