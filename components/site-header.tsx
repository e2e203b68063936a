"use client";
// The header: the shop's pages and who is signed in. On a phone they fold into a menu behind a
// button (aria-expanded); Escape closes it and gives focus back to the button, and following a
// link closes it. From the `sm` width up everything sits in one row and the button is gone.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { UserMenu } from "@/components/user-menu";

type User = { email: string; role: string } | null;

const link =
  "block py-2 text-sm text-slate-600 hover:text-slate-900 sm:inline sm:py-0 dark:text-slate-300 dark:hover:text-white";

export function SiteHeader({ user }: { user: User }) {
  const path = usePathname();
  // Open on the page it was opened on: a new page (a link, the browser's back button) closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === path;
  const setOpen = (value: boolean) => setOpenOn(value ? path : null);
  const toggle = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLElement>("a, button")?.focus();
  }, [open]);

  return (
    <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <nav
        aria-label="Main"
        className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 px-4 py-3"
        onKeyDown={(event) => {
          if (event.key !== "Escape" || !open) return;
          setOpen(false);
          toggle.current?.focus();
        }}
      >
        <Link href="/" className="text-lg font-semibold tracking-tight">
          StockPulse
        </Link>
        <button
          ref={toggle}
          type="button"
          aria-expanded={open}
          aria-controls="site-menu"
          onClick={() => setOpen(!open)}
          className="ml-auto rounded border border-slate-300 px-3 py-1.5 text-sm sm:hidden dark:border-slate-700"
        >
          <span aria-hidden>{open ? "✕" : "☰"}</span> Menu
        </button>
        <div
          ref={menu}
          id="site-menu"
          // Clicking a link to the page already shown changes no path: close on the click too.
          onClick={(event) => {
            if ((event.target as HTMLElement).closest("a")) setOpen(false);
          }}
          className={`${open ? "flex" : "hidden"} w-full flex-col gap-x-6 pt-2 sm:flex sm:w-auto sm:grow sm:flex-row sm:items-center sm:pt-0`}
        >
          <Link href="/" className={link}>
            Dashboard
          </Link>
          {/* Staff only: signed out, the admin pages only lead to sign-in, which has its own link. */}
          {user && (
            <>
              <Link href="/activity" className={link}>
                Activity
              </Link>
              <Link href="/admin" className={link}>
                Admin
              </Link>
            </>
          )}
          <UserMenu user={user} />
        </div>
      </nav>
    </header>
  );
}
