import { PageNotice } from "@/components/page-notice";

export default function NotFound() {
  return (
    <PageNotice title="Page not found" back={{ href: "/", label: "Back to the dashboard" }}>
      <p>There is no page at this address. Check the link, or start again from the dashboard.</p>
    </PageNotice>
  );
}
