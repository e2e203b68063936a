"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { sendJson } from "@/lib/client/send-json";

// In the header's row from the `sm` width up (pushed to its end), below the links on a phone.
export function UserMenu({ user }: { user: { email: string; role: string } | null }) {
  if (!user) {
    return (
      <Link href="/sign-in" className="block py-2 text-sm underline sm:ml-auto sm:inline sm:py-0">
        Sign in
      </Link>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-slate-200 pt-2 text-sm sm:ml-auto sm:border-0 sm:pt-0 dark:border-slate-800">
      <span data-testid="signed-in-as" className="min-w-0 break-all">
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
    <BusyButton
      type="button"
      onClick={signOut}
      busy={pending}
      busyText="Signing out…"
      className="py-2 underline sm:py-0"
    >
      Sign out
    </BusyButton>
  );
}
