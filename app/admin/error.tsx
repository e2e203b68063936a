"use client";
// Inside the admin layout, so its navigation stays.
import { ErrorNotice } from "@/components/error-notice";

export default function AdminError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <ErrorNotice
      error={error}
      retry={retry}
      what="This admin page"
      back={{ href: "/admin", label: "Back to products" }}
    />
  );
}
