"use client";
// Upload a stocktake or a price list (or the dashboard's product export, edited), see what it
// would change, then apply it with one reason or cancel. The server reads the file (POST
// /api/v1/imports/preview) and applies it all or nothing (POST /api/v1/imports), refusing with 409
// when a product changed after the preview. Unknown SKUs and conflicts refuse the file unless the
// user ticks the box that skips them; the preview is made with the same choices as the apply.
import { useId, useRef, useState } from "react";
import { ImportPreview } from "@/components/import/import-preview";
import { ImportProgress, type Progress } from "@/components/import/import-progress";
import { FormStatus, type Outcome } from "@/components/form-status";
import { mayHaveApplied, NO_ANSWER, newIdempotencyKey } from "@/lib/client/retry-safe";
import { uploadCsv } from "@/lib/client/upload-csv";
import { formatCount } from "@/lib/display-format";
import { buttonClass, cardClass, inputClass } from "@/lib/client/styles";
import type { ImportKind } from "@/lib/imports/csv";
import type { ImportPreview as Preview, ImportResult, SkippedRow } from "@/lib/imports/dto";

const KINDS: Array<{ kind: ImportKind; label: string; columns: string; reason: string }> = [
  { kind: "stocktake", label: "Stocktake (counts)", columns: "sku,count", reason: "stocktake" },
  { kind: "prices", label: "Price list", columns: "sku,price", reason: "price list" },
];

type Skip = { unknownSkus: boolean; conflicts: boolean };

/** The query for the preview and the apply: the kind and the rows the user chose to skip. */
function importQuery(kind: ImportKind, skip: Skip, more: Record<string, string> = {}) {
  const query = new URLSearchParams({ kind, ...more });
  if (skip.unknownSkus) query.set("unknownSkus", "skip");
  if (skip.conflicts) query.set("conflicts", "skip");
  return query;
}

/** "2 rows skipped: A-1 (line 3), B-2 (line 7)." for the result; nothing when none were. */
function describeSkipped(skipped: SkippedRow[], count: (n: number) => string) {
  if (skipped.length === 0) return "";
  const shown = skipped.slice(0, 10).map((row) => `${row.sku} (line ${row.line})`);
  const more = skipped.length > 10 ? ` and ${count(skipped.length - 10)} more` : "";
  return ` ${count(skipped.length)} ${skipped.length === 1 ? "row" : "rows"} skipped: ${shown.join(", ")}${more}.`;
}

const month = () => new Date().toISOString().slice(0, 7);
const defaultReason = (kind: ImportKind) => `${KINDS.find((k) => k.kind === kind)!.reason} ${month()}`;

/** Data rows in the file, for "n of m rows" while it uploads: its lines after the header. */
async function countRows(file: File): Promise<number> {
  // Line ends as the server reads them (lib/imports/csv.ts): CRLF, LF or CR alone.
  const lines = (await file.text()).split(/\r\n?|\n/).filter((line) => line.trim() !== "");
  return Math.max(lines.length - 1, 0);
}

export function ImportPanel({ locale }: { locale: string }) {
  const [kind, setKind] = useState<ImportKind>("stocktake");
  const [file, setFile] = useState<File | null>(null);
  const [reason, setReason] = useState(() => defaultReason("stocktake"));
  const [skip, setSkip] = useState<Skip>({ unknownSkus: false, conflicts: false });
  const [preview, setPreview] = useState<Preview | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  // Apply was refused because a product changed after the preview: the same file, checked again.
  const [stale, setStale] = useState(false);
  const idempotencyKey = useRef("");
  const fileInput = useRef<HTMLInputElement>(null);
  const fileHelp = useId();
  const skipHelp = useId();

  async function check(chosen: File, as: ImportKind, skipping: Skip = skip) {
    setPreview(null);
    setOutcome(null);
    setStale(false);
    const rows = await countRows(chosen);
    setProgress({ step: "upload", action: "preview", sent: 0, total: chosen.size, rows });
    const result = await uploadCsv<Preview>(`/api/v1/imports/preview?${importQuery(as, skipping)}`, chosen, {
      onProgress: (sent, total) =>
        setProgress(
          sent < total
            ? { step: "upload", action: "preview", sent, total, rows }
            : { step: "server", action: "preview", rows },
        ),
    });
    setProgress(null);
    if (!result.ok) return setOutcome({ ok: false, text: `The file cannot be imported: ${result.message}` });
    // One key per preview: a retried Apply (a lost answer) applies once.
    idempotencyKey.current = newIdempotencyKey();
    setPreview(result.data);
  }

  function choose(kindChosen: ImportKind, fileChosen: File | null) {
    if (kindChosen !== kind && reason === defaultReason(kind)) setReason(defaultReason(kindChosen));
    setKind(kindChosen);
    setFile(fileChosen);
    if (fileChosen) void check(fileChosen, kindChosen);
  }

  function chooseSkip(changes: Partial<Skip>) {
    const next = { ...skip, ...changes };
    setSkip(next);
    // The preview says what the apply will do with these choices: made again with them.
    if (file) void check(file, kind, next);
  }

  function cancel() {
    setStale(false);
    setFile(null);
    setPreview(null);
    setProgress(null);
    setOutcome({ ok: true, text: "Cancelled: nothing was changed." });
    if (fileInput.current) fileInput.current.value = "";
  }

  async function apply(event: React.FormEvent) {
    event.preventDefault();
    if (!file || !preview?.canApply) return;
    if (reason.trim() === "") return setOutcome({ ok: false, text: "Say why: give a reason, e.g. stocktake 2026-11." });
    const rows = preview.rows;
    setProgress({ step: "upload", action: "apply", sent: 0, total: file.size, rows });
    const query = importQuery(preview.kind, skip, { reason: reason.trim(), asOf: preview.asOf });
    const result = await uploadCsv<ImportResult>(`/api/v1/imports?${query}`, file, {
      headers: { "idempotency-key": idempotencyKey.current },
      onProgress: (sent, total) =>
        setProgress(
          sent < total
            ? { step: "upload", action: "apply", sent, total, rows }
            : { step: "server", action: "apply", rows },
        ),
    });
    setProgress(null);
    if (!result.ok) {
      // A product changed after the preview, or a conflict arose since: the same file, checked again.
      if (result.code === "PREVIEW_STALE" || result.code === "IMPORT_CONFLICT") {
        setPreview(null);
        setStale(true);
      }
      // Apply again sends this preview's key again: the import applies at most once.
      if (mayHaveApplied(result)) return setOutcome({ ok: false, text: NO_ANSWER });
      return setOutcome({ ok: false, text: `Not applied: ${result.message}` });
    }
    const { changed, unchanged, skipped } = result.data;
    setPreview(null);
    setFile(null);
    if (fileInput.current) fileInput.current.value = "";
    setOutcome({
      ok: true,
      text:
        `Applied (${reason.trim()}): ${formatCount(locale, changed)} products changed, ${formatCount(locale, unchanged)} unchanged.` +
        describeSkipped(skipped, (n) => formatCount(locale, n)),
    });
  }

  const busy = progress !== null;
  const columns = KINDS.find((k) => k.kind === kind)!.columns;
  return (
    <form onSubmit={apply} className={`space-y-6 ${cardClass}`} aria-busy={busy}>
      <fieldset className="space-y-2" disabled={busy}>
        <legend className="text-sm font-medium">What the file holds</legend>
        {KINDS.map((option) => (
          <label key={option.kind} className="mr-6 inline-flex items-center gap-2">
            <input
              type="radio"
              name="kind"
              value={option.kind}
              checked={kind === option.kind}
              onChange={() => choose(option.kind, file)}
            />
            {option.label}
          </label>
        ))}
      </fieldset>
      <div className="space-y-1">
        <label htmlFor="import-file" className="block text-sm font-medium">
          CSV file
        </label>
        <input
          id="import-file"
          ref={fileInput}
          type="file"
          accept=".csv,text/csv"
          disabled={busy}
          aria-describedby={fileHelp}
          onChange={(event) => choose(kind, event.target.files?.[0] ?? null)}
          className={inputClass}
        />
        <p id={fileHelp} className="text-sm text-slate-600 dark:text-slate-300">
          Columns <code>{columns}</code> (header names in any case; other columns are ignored), saved as CSV UTF-8, at
          most 10,000 rows.
          {kind === "prices" &&
            " Prices in the shop currency as the spreadsheet writes them: 12.50, or 12,50 in a file separated by semicolons."}{" "}
          The dashboard&apos;s CSV export imports back as it is: edit its{" "}
          <code>{kind === "prices" ? "price" : "stock"}</code> column and upload it. Its{" "}
          <code>{kind === "prices" ? "expectedPrice" : "expectedStock"}</code> column is the{" "}
          {kind === "prices" ? "price" : "stock"} when you exported; leave it as it is. A row you did not edit changes
          nothing, even if the till sold since; a row you edited whose {kind === "prices" ? "price" : "stock"} moved
          since is a conflict.
        </p>
      </div>
      <fieldset className="space-y-1" disabled={busy} aria-describedby={skipHelp}>
        <legend className="text-sm font-medium">Rows that cannot be applied</legend>
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            checked={skip.unknownSkus}
            onChange={(event) => chooseSkip({ unknownSkus: event.target.checked })}
          />
          Skip unknown SKUs (no such product, or archived)
        </label>
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            checked={skip.conflicts}
            onChange={(event) => chooseSkip({ conflicts: event.target.checked })}
          />
          Skip conflicts (edited rows whose {kind === "prices" ? "price" : "stock"} moved since the export)
        </label>
        <p id={skipHelp} className="text-sm text-slate-600 dark:text-slate-300">
          Unticked, any such row stops the whole import. Ticked, those rows are left out and listed; the other rows
          still apply all together or not at all.
        </p>
      </fieldset>
      {progress && <ImportProgress progress={progress} />}
      {preview && <ImportPreview preview={preview} locale={locale} />}
      <div className="space-y-1">
        <label htmlFor="import-reason" className="block text-sm font-medium">
          Reason
        </label>
        <input
          id="import-reason"
          value={reason}
          maxLength={200}
          onChange={(event) => setReason(event.target.value)}
          className={inputClass}
        />
      </div>
      <div className="flex gap-4">
        <button type="submit" className={buttonClass} disabled={busy || !preview?.canApply}>
          {progress?.action === "apply" ? "Applying…" : "Apply"}
        </button>
        {stale && file && (
          <button type="button" onClick={() => void check(file, kind)} disabled={busy} className={buttonClass}>
            Preview again
          </button>
        )}
        <button
          type="button"
          onClick={cancel}
          disabled={busy || (!file && !preview)}
          className="rounded border px-4 py-2 disabled:opacity-50"
        >
          Cancel
        </button>
      </div>
      <FormStatus outcome={outcome} />
    </form>
  );
}
