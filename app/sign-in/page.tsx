import { redirect } from "next/navigation";
import { SignInForm } from "@/components/sign-in-form";
import { pageUser } from "@/lib/auth/page-access";
import { safeReturnPath } from "@/lib/auth/return-path";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  // Only paths on this site: `next` must not send a fresh session off to another one.
  const next = safeReturnPath((await searchParams).next);
  if (await pageUser()) redirect(next);
  return <SignInForm next={next} />;
}
