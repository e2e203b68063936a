"use client";
import { buttonClass, cardClass, inputClass } from "@/components/styles";
import { useActionState } from "react";
import { signInAction, type FormState } from "@/app/admin/actions";

export function AdminSignIn() {
  const [state, formAction, pending] = useActionState<FormState, FormData>(signInAction, {});
  return (
    <form action={formAction} className={`max-w-md space-y-3 ${cardClass}`}>
      <h1 className="text-xl font-semibold">Admin sign-in</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Enter the admin API token (<code>ADMIN_API_TOKEN</code>; the local demo prints it at start).
      </p>
      <label htmlFor="token" className="block text-sm font-medium">
        Admin token
      </label>
      <input
        id="token"
        name="token"
        type="password"
        required
        autoComplete="current-password"
        aria-describedby="sign-in-error"
        className={inputClass}
      />
      <p id="sign-in-error" aria-live="polite" className="text-sm text-red-700">
        {state.message}
      </p>
      <button type="submit" disabled={pending} className={buttonClass}>
        Sign in
      </button>
    </form>
  );
}
