// Who may see a page, checked where pages read data (design: "authorisation lives where data is
// read, never only in a layout"). A layout's check alone leaks: a page renders alongside its
// layout, so its data rode in the body of the layout's 307 and 403, and a router's RSC request
// renders only the segments the client says it lacks, skipping the layout altogether. So every
// admin page calls requireAdminPage() before it loads anything, and the loaders of admin-only
// data (lib/webhooks/pages.ts, lib/products/pages.ts) call it themselves.
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { currentUser } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { safeReturnPath } from "@/lib/auth/return-path";
import type { User } from "@/lib/auth/users";

/** The signed-in user of this request, or null; looked up once per request however many ask. */
export const pageUser = cache(currentUser);

/** To the sign-in page, with this page as the way back (x-pathname: proxy.ts, never the client's). */
export async function redirectToSignIn(): Promise<never> {
  redirect(`/sign-in?next=${encodeURIComponent(safeReturnPath((await headers()).get("x-pathname")))}`);
}

/** For pages that show stock and prices: with READ_ACCESS=staff, nobody signed in goes to sign-in. */
export async function requirePageReader(): Promise<void> {
  if (env().READ_ACCESS === "staff") await requireStaffPage();
}

/** The signed-in member of staff (admin or viewer); nobody signed in goes to sign-in. */
export const requireStaffPage = cache(async (): Promise<User> => (await pageUser()) ?? redirectToSignIn());

/** The signed-in admin; nobody signed in goes to sign-in, a viewer gets 403 (app/forbidden.tsx). */
export const requireAdminPage = cache(async (): Promise<User> => {
  const user = await requireStaffPage();
  if (user.role !== "admin") forbidden();
  return user;
});
