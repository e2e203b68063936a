import { redirect } from "next/navigation";
import { SignInForm } from "@/components/sign-in-form";
import { currentUser } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

// Only local paths: `next` must not send a fresh session off to another site.
const safeNext = (next: string | undefined) => (next?.startsWith("/") && !next.startsWith("//") ? next : "/admin");

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNext((await searchParams).next);
  if (await currentUser()) redirect(next);
  return <SignInForm next={next} />;
}
