import { CreateWebhookForm } from "@/components/webhooks/create-webhook-form";
import { WebhookList } from "@/components/webhooks/webhook-list";
import { listWebhooks } from "@/lib/webhooks/subscriptions";

export default async function WebhooksPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Webhooks</h1>
      <WebhookList webhooks={await listWebhooks()} />
      <CreateWebhookForm />
    </div>
  );
}
