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
    setOutcome({ ok: false, text: result.message });
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
          <p>
            <code className="block break-all rounded bg-white px-2 py-1 font-mono dark:bg-slate-900">
              {created.secret}
            </code>
          </p>
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
