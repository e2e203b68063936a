// Where an import stands. While the file goes up, the bar is the bytes sent (XHR upload
// progress), told as rows; on the server one statement checks or applies every row, which has
// no progress of its own, so the bar is full for the upload and says which step runs.
import { useLocale } from "@/components/money";
import { formatCount } from "@/lib/display-format";

export type Progress =
  | { step: "upload"; action: "preview" | "apply"; sent: number; total: number; rows: number }
  | { step: "server"; action: "preview" | "apply"; rows: number };

export function describeProgress(progress: Progress, locale: string): string {
  const count = (n: number) => formatCount(locale, n);
  if (progress.step === "upload") {
    const rowsSent = progress.total === 0 ? 0 : Math.floor((progress.rows * progress.sent) / progress.total);
    return `Uploading: ${count(rowsSent)} of ${count(progress.rows)} rows`;
  }
  return progress.action === "preview"
    ? `Checking ${count(progress.rows)} of ${count(progress.rows)} rows on the server`
    : `Applying ${count(progress.rows)} of ${count(progress.rows)} rows in one transaction`;
}

export function ImportProgress({ progress }: { progress: Progress }) {
  const text = describeProgress(progress, useLocale());
  const [value, max] = progress.step === "upload" ? [progress.sent, Math.max(progress.total, 1)] : [1, 1];
  return (
    <div className="space-y-1" data-testid="import-progress">
      <progress className="h-2 w-full" value={value} max={max} aria-label={text} aria-valuetext={text} />
      <p className="text-sm" aria-live="polite">
        Step {progress.step === "upload" ? 1 : 2} of 2: {text}
      </p>
    </div>
  );
}
