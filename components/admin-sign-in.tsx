"use client";
import { useActionState } from "react";
import { signInAction, type FormState } from "@/app/admin/actions";

export function AdminSignIn() {
  const [state, formAction, pending] = useActionState<FormState, FormData>(signInAction, {});
  return (
    <form
      action={formAction}
      className="max-w-md space-y-3 rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900"
    >
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
        className="w-full rounded border border-slate-300 px-3 py-2 dark:border-slate-700 dark:bg-slate-950"
      />
      <p id="sign-in-error" aria-live="polite" className="text-sm text-red-700">
        {state.message}
      </p>
      <button
        type="submit"
        disabled={pending}
        className="rounded bg-slate-900 px-4 py-2 text-white disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900"
      >
        Sign in
      </button>
    </form>
  );
}
