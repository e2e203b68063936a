import { Suspense } from "react";
import { PageSkeleton } from "@/components/page-skeleton";
import { CreateWebhookForm } from "@/components/webhooks/create-webhook-form";
import { WebhookList } from "@/components/webhooks/webhook-list";
import { requireAdminPage } from "@/lib/auth/page-access";
import { webhooksForAdmin } from "@/lib/webhooks/pages";

// Settled before the skeleton streams, so a sign-in redirect and a 403 keep their status.
export default async function WebhooksPage() {
  await requireAdminPage();
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
  return <WebhookList webhooks={await webhooksForAdmin()} />;
}
