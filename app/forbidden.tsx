import { PageNotice } from "@/components/page-notice";

export default function Forbidden() {
  return (
    <PageNotice title="Admins only" back={{ href: "/", label: "Back to the dashboard" }}>
      <p>Your account can view the dashboard but not change products. Ask an admin for the admin role.</p>
    </PageNotice>
  );
}
