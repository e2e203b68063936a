// Tailwind class sets shared by the admin forms.
export const inputClass = "w-full rounded border border-slate-300 px-3 py-2 dark:border-slate-700 dark:bg-slate-950";
export const buttonClass =
  "rounded bg-slate-900 px-4 py-2 text-white disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900";
export const cardClass = "rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900";
