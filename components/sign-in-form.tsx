"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { sendJson } from "@/lib/client/send-json";
import { BusyButton } from "@/components/busy-button";
import { buttonClass, cardClass, inputClass } from "@/lib/client/styles";

export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  const [message, setMessage] = useState("");
  const [pending, setPending] = useState(false);

  async function signIn(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const form = new FormData(event.currentTarget);
    setPending(true);
    const result = await sendJson("POST", "/api/v1/session", {
      email: String(form.get("email")),
      password: String(form.get("password")),
    });
    if (!result.ok) {
      setPending(false);
      return setMessage(result.message);
    }
    // Still busy until the next page replaces this one.
    router.replace(next);
    router.refresh();
  }

  return (
    <form onSubmit={signIn} className={`mx-auto max-w-md space-y-4 ${cardClass}`}>
      <h1 className="text-xl font-semibold">Sign in</h1>
      <div className="space-y-1">
        <label htmlFor="email" className="block text-sm font-medium">
          Email
        </label>
        <input id="email" name="email" type="email" required autoComplete="username" className={inputClass} />
      </div>
      <div className="space-y-1">
        <label htmlFor="password" className="block text-sm font-medium">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          required
          autoComplete="current-password"
          className={inputClass}
        />
      </div>
      <p role="alert" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {message}
      </p>
      <BusyButton type="submit" busy={pending} busyText="Signing in…" className={buttonClass}>
        Sign in
      </BusyButton>
    </form>
  );
}
