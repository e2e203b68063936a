import Link from "next/link";
import { requireAdminPage } from "@/lib/auth/page-access";

// The admin pages' navigation, for signed-in admins. Not the guard of the pages: a router's RSC
// request renders a page without its layouts, so every page and admin loader checks for itself.
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  await requireAdminPage();
  return (
    <div className="space-y-6">
      <nav aria-label="Admin" className="flex gap-4 text-sm">
        <Link href="/admin" className="underline">
          Products
        </Link>
        <Link href="/admin/archived" className="underline">
          Archived
        </Link>
        <Link href="/admin/import" className="underline">
          Import CSV
        </Link>
        <Link href="/admin/webhooks" className="underline">
          Webhooks
        </Link>
      </nav>
      {children}
    </div>
  );
}
