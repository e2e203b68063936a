"use client";
import { ErrorNotice } from "@/components/error-notice";

export default function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <ErrorNotice error={error} retry={retry} what="This page" back={{ href: "/", label: "Back to the dashboard" }} />
  );
}
