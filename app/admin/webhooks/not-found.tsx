import { PageNotice } from "@/components/page-notice";

// A webhook id that is malformed or names no subscription (app/admin/webhooks/[id]/layout.tsx).
export default function WebhookNotFound() {
  return (
    <PageNotice title="No such webhook" back={{ href: "/admin/webhooks", label: "Back to the webhooks" }}>
      <p>No webhook has this id: the link may be wrong, or the webhook was deleted.</p>
    </PageNotice>
  );
}
