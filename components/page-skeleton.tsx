// What a page shows while its data loads (loading.tsx, <Suspense> fallbacks): its heading, grey
// bars where the content will be, and the words for screen readers. The bars only pulse for
// people who have not asked for less motion.
export function PageSkeleton({ title, what, rows = 6 }: { title?: string; what: string; rows?: number }) {
  return (
    <div className="space-y-4" aria-busy="true" data-testid="page-loading">
      {title ? <h1 className="text-2xl font-semibold">{title}</h1> : null}
      <p role="status" className="text-sm text-slate-600 dark:text-slate-300">
        Loading {what}…
      </p>
      <div aria-hidden className="space-y-2 motion-safe:animate-pulse">
        {Array.from({ length: rows }, (_, index) => (
          <div key={index} className="h-8 rounded bg-slate-200 dark:bg-slate-800" />
        ))}
      </div>
    </div>
  );
}
