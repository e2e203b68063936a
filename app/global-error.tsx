"use client";
// When even the root layout fails (it reads the session): a whole document of its own, with the
// app's styles, and a retry.
import { ErrorNotice } from "@/components/error-notice";
import "./globals.css";

export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <head>
        <title>StockPulse: something went wrong</title>
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <main className="mx-auto max-w-6xl px-4 py-6">
          <ErrorNotice
            error={error}
            retry={retry}
            what="StockPulse"
            back={{ href: "/", label: "Back to the dashboard" }}
          />
        </main>
      </body>
    </html>
  );
}
