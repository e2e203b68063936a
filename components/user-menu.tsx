"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { sendJson } from "@/lib/client/send-json";

export function UserMenu({ user }: { user: { email: string; role: string } | null }) {
  const router = useRouter();
  if (!user) {
    return (
      <Link href="/sign-in" className="ml-auto text-sm underline">
        Sign in
      </Link>
    );
  }
  async function signOut() {
    await sendJson("DELETE", "/api/v1/session");
    router.push("/");
    router.refresh();
  }
  return (
    <div className="ml-auto flex items-center gap-3 text-sm">
      <span data-testid="signed-in-as">
        {user.email} <span className="text-slate-500 dark:text-slate-400">({user.role})</span>
      </span>
      <button type="button" onClick={signOut} className="underline">
        Sign out
      </button>
    </div>
  );
}
