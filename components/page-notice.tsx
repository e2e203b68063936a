import Link from "next/link";

// A page that stands in for the one asked for (not found, forbidden, an error): what happened in
// a heading, what to do in a sentence, and a way on.
export function PageNotice({
  title,
  children,
  back,
  actions,
}: {
  title: string;
  children: React.ReactNode;
  back?: { href: string; label: string };
  actions?: React.ReactNode;
}) {
  return (
    <div className="mx-auto max-w-md space-y-3 py-8 text-center" data-testid="page-notice">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <div className="space-y-2 text-slate-600 dark:text-slate-300">{children}</div>
      <div className="flex flex-wrap items-center justify-center gap-4 pt-2">
        {actions}
        {back && (
          <Link href={back.href} className="underline">
            {back.label}
          </Link>
        )}
      </div>
    </div>
  );
}
