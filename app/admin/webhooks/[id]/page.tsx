import { notFound } from "next/navigation";
import { WebhookAdmin } from "@/components/webhooks/webhook-admin";
import { requireAdminPage } from "@/lib/auth/page-access";
import { ApiError } from "@/lib/errors";
import { deliveriesForAdmin, webhookForAdmin } from "@/lib/webhooks/pages";
import { webhookIdSchema } from "@/lib/webhooks/validation";

export default async function WebhookPage({ params }: PageProps<"/admin/webhooks/[id]">) {
  // Before the id is looked at: a 404 must not tell a stranger which webhooks exist.
  await requireAdminPage();
  const parsed = webhookIdSchema.safeParse((await params).id);
  if (!parsed.success) notFound();
  const loaded = await Promise.all([webhookForAdmin(parsed.data), deliveriesForAdmin(parsed.data, 20)]).catch(
    (error) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    },
  );
  if (!loaded) notFound();
  const [webhook, deliveries] = loaded;
  return <WebhookAdmin initial={webhook} deliveries={deliveries} />;
}
