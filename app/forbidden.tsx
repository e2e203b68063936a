import Link from "next/link";

export default function Forbidden() {
  return (
    <div className="mx-auto max-w-md space-y-3 text-center">
      <h1 className="text-2xl font-semibold">Admins only</h1>
      <p className="text-slate-600 dark:text-slate-300">
        Your account can view the dashboard but not change products. Ask an admin for the admin role.
      </p>
      <Link href="/" className="underline">
        Back to the dashboard
      </Link>
    </div>
  );
}
