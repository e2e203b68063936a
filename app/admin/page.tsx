import { signOutAction } from "@/app/admin/actions";
import { AdminSignIn } from "@/components/admin-sign-in";
import { StockForm } from "@/components/stock-form";
import { browserAdmin } from "@/lib/auth/admin";
import { fetchProductSnapshot } from "@/lib/products/queries";

export const dynamic = "force-dynamic";

// Admin: only for a browser signed in with the admin token (an HttpOnly session cookie).
export default async function AdminPage() {
  if (!(await browserAdmin())) return <AdminSignIn />;
  const snapshot = await fetchProductSnapshot();
  return (
    <div className="space-y-6">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Admin</h1>
        <form action={signOutAction}>
          <button type="submit" className="text-sm text-slate-600 underline dark:text-slate-300">
            Sign out
          </button>
        </form>
      </div>
      <StockForm initial={snapshot} />
    </div>
  );
}
