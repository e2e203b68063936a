// The outcome of a form's last submit, announced politely; wording says success or failure,
// colour only repeats it.
export type Outcome = { ok: boolean; text: string } | null;

export function FormStatus({ outcome }: { outcome: Outcome }) {
  return (
    <p
      role="status"
      className={`min-h-5 text-sm ${outcome?.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}`}
    >
      {outcome?.text}
    </p>
  );
}
