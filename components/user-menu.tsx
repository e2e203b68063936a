"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { sendJson } from "@/lib/client/send-json";

export function UserMenu({ user }: { user: { email: string; role: string } | null }) {
  if (!user) {
    return (
      <Link href="/sign-in" className="ml-auto text-sm underline">
        Sign in
      </Link>
    );
  }
  return (
    <div className="ml-auto flex items-center gap-3 text-sm">
      <span data-testid="signed-in-as">
        {user.email} <span className="text-slate-500 dark:text-slate-400">({user.role})</span>
      </span>
      <SignOutButton />
    </div>
  );
}

// Busy from the click until the page without the session replaces the menu (which unmounts the
// button); back at once if the server cannot be reached.
function SignOutButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  async function signOut() {
    setPending(true);
    const result = await sendJson("DELETE", "/api/v1/session");
    if (!result.ok && result.status === 0) return setPending(false);
    router.push("/");
    router.refresh();
  }
  return (
    <BusyButton type="button" onClick={signOut} busy={pending} busyText="Signing out…" className="underline">
      Sign out
    </BusyButton>
  );
}
