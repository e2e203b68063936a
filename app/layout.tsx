import type { Metadata } from "next";
import { DisplayProvider } from "@/components/money";
import { SiteHeader } from "@/components/site-header";
import { pageUser } from "@/lib/auth/page-access";
import { env } from "@/lib/env";
import "./globals.css";

export const metadata: Metadata = {
  title: "StockPulse",
  description: "Live stock and prices for the shop",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await pageUser();
  const { DISPLAY_LOCALE: locale, DISPLAY_CURRENCY: currency, DISPLAY_TIME_ZONE: timeZone } = env();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <SiteHeader user={user && { email: user.email, role: user.role }} />
        <main className="mx-auto max-w-6xl px-4 py-6">
          <DisplayProvider display={{ locale, currency, timeZone }}>{children}</DisplayProvider>
        </main>
      </body>
    </html>
  );
}
