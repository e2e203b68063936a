import { Suspense } from "react";
import { PageSkeleton } from "@/components/page-skeleton";
import { CreateWebhookForm } from "@/components/webhooks/create-webhook-form";
import { WebhookList } from "@/components/webhooks/webhook-list";
import { listWebhooks } from "@/lib/webhooks/subscriptions";

export default function WebhooksPage() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Webhooks</h1>
      <Suspense fallback={<PageSkeleton what="webhooks" rows={3} />}>
        <Webhooks />
      </Suspense>
      <CreateWebhookForm />
    </div>
  );
}

async function Webhooks() {
  return <WebhookList webhooks={await listWebhooks()} />;
}
