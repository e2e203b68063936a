"use client";
// The "New webhook" form. The signing secret comes back in the creation answer only: it is
// shown here once, to copy, and never again.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { FormStatus, type Outcome } from "@/components/form-status";
import { fieldErrors, sendJson } from "@/lib/client/send-json";
import { buttonClass, cardClass, inputClass } from "@/lib/client/styles";
import type { WebhookDto } from "@/lib/webhooks/dto";

type Created = WebhookDto & { secret: string };

/** The form's fields as the status names them. */
const FIELD_LABELS: Record<string, string> = { url: "endpoint URL", kinds: "events", productIds: "product ids" };

/** "3, 7,9" -> [3, 7, 9]; empty -> null (every product); anything else -> the text, for the API to refuse. */
function parseProductIds(text: string): number[] | null | string {
  if (text.trim() === "") return null;
  const parts = text.split(/[\s,]+/).filter(Boolean);
  return parts.every((part) => /^\d+$/.test(part)) ? parts.map(Number) : text;
}

export function CreateWebhookForm() {
  const router = useRouter();
  const [url, setUrl] = useState("");
  const [kinds, setKinds] = useState<"all" | "threshold">("all");
  const [products, setProducts] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (pending) return;
    setPending(true);
    const result = await sendJson<Created>("POST", "/api/v1/webhooks", {
      url,
      kinds,
      productIds: parseProductIds(products),
    });
    setPending(false);
    if (result.ok) {
      setCreated(result.data);
      setErrors({});
      setOutcome(null);
      setUrl("");
      setProducts("");
      router.refresh();
      return;
    }
    const field = result.issues ? fieldErrors(result.issues) : {};
    if (result.code === "INVALID_URL" || result.code === "PRIVATE_ADDRESS" || result.code === "UNRESOLVABLE_HOST") {
      field.url = result.message;
    }
    if (result.code === "UNKNOWN_PRODUCT") field.productIds = result.message;
    setErrors(field);
    // A field's error is shown next to it; the status only says where to look, so it is not shown twice.
    const named = Object.keys(field);
    setOutcome({
      ok: false,
      text:
        named.length === 0
          ? `Not created: ${result.message}`
          : `Not created: check the ${named.map((name) => FIELD_LABELS[name] ?? name).join(" and ")}.`,
    });
  }

  return (
    <section aria-labelledby="new-webhook-heading" className={`${cardClass} space-y-4`}>
      <h2 id="new-webhook-heading" className="text-lg font-semibold">
        New webhook
      </h2>
      {created && (
        <div
          role="status"
          data-testid="webhook-secret"
          className="space-y-2 rounded border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-700 dark:bg-amber-950"
        >
          <p>
            Webhook {created.id} created for <span className="font-mono">{created.url}</span>. Its signing secret is
            shown <strong>only this once</strong>: copy it to the receiving system now.
          </p>
          <div className="flex flex-wrap items-center gap-3">
            <code
              id="webhook-secret-value"
              className="block min-w-0 grow break-all rounded bg-white px-2 py-1 font-mono dark:bg-slate-900"
            >
              {created.secret}
            </code>
            <CopyButton key={created.id} text={created.secret} what="secret" />
          </div>
          <p>
            <Link href={`/admin/webhooks/${created.id}`} className="underline">
              Open webhook {created.id}
            </Link>
          </p>
        </div>
      )}
      <form onSubmit={submit} className="grid gap-4 sm:grid-cols-2" noValidate>
        <TextField
          id="webhook-url"
          label="Endpoint URL"
          value={url}
          onChange={setUrl}
          placeholder="https://supplier.example.com/stockpulse"
          error={errors.url}
          className="sm:col-span-2"
        />
        <div className="space-y-1">
          <label htmlFor="webhook-kinds" className="block text-sm font-medium">
            Events
          </label>
          <select
            id="webhook-kinds"
            value={kinds}
            onChange={(event) => setKinds(event.target.value as "all" | "threshold")}
            className={inputClass}
          >
            <option value="all">Every change</option>
            <option value="threshold">Stock level changes only (low, out, back in stock)</option>
          </select>
        </div>
        <TextField
          id="webhook-products"
          label="Product ids (optional)"
          value={products}
          onChange={setProducts}
          placeholder="every product"
          error={errors.productIds}
        />
        <div className="flex items-center gap-4 sm:col-span-2">
          <BusyButton type="submit" busy={pending} busyText="Creating…" className={buttonClass}>
            Create webhook
          </BusyButton>
          <FormStatus outcome={outcome} />
        </div>
      </form>
    </section>
  );
}

/**
 * Copies `text` to the clipboard and says so next to the button ("Copied", a polite status a
 * screen reader announces); where the browser refuses (no permission, not a secure origin) it
 * says to select and copy by hand instead.
 */
function CopyButton({ text, what }: { text: string; what: string }) {
  const [copied, setCopied] = useState<"copied" | "failed" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("copied");
    } catch {
      setCopied("failed");
    }
  }
  return (
    <span className="flex items-center gap-2">
      <button
        type="button"
        onClick={copy}
        className="rounded border border-slate-400 bg-white px-3 py-1 dark:border-slate-500 dark:bg-slate-900"
      >
        Copy {what}
      </button>
      <span role="status" className="text-sm">
        {copied === "copied" ? "Copied" : copied === "failed" ? `Not copied: select the ${what} and copy it` : ""}
      </span>
    </span>
  );
}

/** A labelled text input whose error, when there is one, is tied to it for screen readers. */
function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  error?: string;
  className?: string;
}) {
  const { id, label, value, onChange, placeholder, error, className = "" } = props;
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        placeholder={placeholder}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error` : undefined}
        className={inputClass}
      />
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
