import type { Metadata } from "next";
import Link from "next/link";
import { DisplayProvider } from "@/components/money";
import { UserMenu } from "@/components/user-menu";
import { pageUser } from "@/lib/auth/page-access";
import { env } from "@/lib/env";
import "./globals.css";

export const metadata: Metadata = {
  title: "StockPulse",
  description: "Live stock and prices for the shop",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await pageUser();
  const { DISPLAY_LOCALE: locale, DISPLAY_CURRENCY: currency } = env();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <nav className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3">
            <Link href="/" className="text-lg font-semibold tracking-tight">
              StockPulse
            </Link>
            <Link href="/" className="text-sm text-slate-600 hover:text-slate-900 dark:text-slate-300">
              Dashboard
            </Link>
            {user && (
              <Link href="/activity" className="text-sm text-slate-600 hover:text-slate-900 dark:text-slate-300">
                Activity
              </Link>
            )}
            <Link href="/admin" className="text-sm text-slate-600 hover:text-slate-900 dark:text-slate-300">
              Admin
            </Link>
            <UserMenu user={user && { email: user.email, role: user.role }} />
          </nav>
        </header>
        <main className="mx-auto max-w-6xl px-4 py-6">
          <DisplayProvider display={{ locale, currency }}>{children}</DisplayProvider>
        </main>
      </body>
    </html>
  );
}
