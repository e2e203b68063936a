import { headers } from "next/headers";
import Link from "next/link";
import { forbidden, redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/guards";
import { safeReturnPath } from "@/lib/auth/return-path";

// Every admin page: signed-in admins only. Nobody signed in goes to the sign-in page; a viewer
// gets 403 (app/forbidden.tsx). The API checks again on every write (lib/auth/guards.ts).
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  // x-pathname is set by proxy.ts on every page request, prefetches included (never the client's).
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(safeReturnPath((await headers()).get("x-pathname")))}`);
  if (user.role !== "admin") forbidden();
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
