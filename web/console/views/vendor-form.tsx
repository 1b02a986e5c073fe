import { useState } from "preact/hooks";
import { api } from "../api";
import type { Session } from "../session";
import { VENDOR_KINDS, type Vendor, type VendorKind } from "../types";
import { Check } from "../ui/check";
import { fieldError } from "../ui/error-note";
import { Field } from "../ui/field";
import { useFocusOnMount } from "../ui/focus";
import { FormError } from "../ui/form-error";

/** Where the key a vendor uses comes from, in words; the key itself is never shown (nor returned). */
export function keyState(v: Vendor): string {
  if (v.api_key_source === "stored") return "key stored (database)";
  if (v.api_key_source === "environment") return "key from environment";
  return v.has_api_key ? "key set" : "no key";
}

const FIELDS = ["slug", "kind", "base_url", "api_key", "enabled"] as const;

interface FormProps {
  session: Session;
  onSaved: (v: Vendor) => void;
  onCancel: () => void;
}

/** The key input: a password field that starts empty and is never filled from the server. */
function KeyInput({
  value,
  onInput,
  disabled,
  error,
  hint,
}: {
  value: string;
  onInput: (v: string) => void;
  disabled?: boolean;
  error: unknown;
  hint: string;
}) {
  return (
    <Field label="API key" hint={hint} error={fieldError(error, "api_key")}>
      {(id, describedBy) => (
        <input
          id={id}
          type="password"
          autocomplete="new-password"
          spellcheck={false}
          value={value}
          disabled={disabled}
          aria-describedby={describedBy}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

export function CreateVendorForm({ session, onSaved, onCancel }: FormProps) {
  const [slug, setSlug] = useState("");
  const [kind, setKind] = useState<VendorKind>("openai-compatible");
  const [baseUrl, setBaseUrl] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [enabled, setEnabled] = useState(true);
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { slug: slug.trim(), kind, enabled };
      if (baseUrl.trim()) body.base_url = baseUrl.trim();
      if (apiKey.trim()) body.api_key = apiKey.trim();
      const v = await api<Vendor>(session, "/v1/vendors", { method: "POST", body });
      setApiKey("");
      onSaved(v);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel" aria-label="Add vendor" noValidate onSubmit={(e) => void submit(e)}>
      <h2 ref={heading} tabIndex={-1}>
        Add vendor
      </h2>
      <Field
        label="Slug"
        hint="Lowercase letters, digits and dashes; models are called as slug/model."
        error={fieldError(error, "slug")}
      >
        {(id, describedBy) => (
          <input
            id={id}
            required
            value={slug}
            aria-describedby={describedBy}
            onInput={(e) => setSlug(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Kind" error={fieldError(error, "kind")}>
        {(id, describedBy) => (
          <select
            id={id}
            value={kind}
            aria-describedby={describedBy}
            onChange={(e) => setKind(e.currentTarget.value as VendorKind)}
          >
            {VENDOR_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Base URL"
        hint={kind === "openai-compatible" ? "Required for openai-compatible." : "Empty: the kind's default."}
        error={fieldError(error, "base_url")}
      >
        {(id, describedBy) => (
          <input
            id={id}
            type="url"
            value={baseUrl}
            aria-describedby={describedBy}
            onInput={(e) => setBaseUrl(e.currentTarget.value)}
          />
        )}
      </Field>
      <KeyInput
        value={apiKey}
        onInput={setApiKey}
        error={error}
        hint="Write-only: stored encrypted, never shown again."
      />
      <Check label="Enabled" checked={enabled} onChange={setEnabled} />
      <div class="row">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Add vendor"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <FormError error={error} fields={FIELDS} />
    </form>
  );
}

export function EditVendorForm({ session, vendor, onSaved, onCancel }: FormProps & { vendor: Vendor }) {
  const [baseUrl, setBaseUrl] = useState(vendor.base_url ?? "");
  const [enabled, setEnabled] = useState(vendor.enabled);
  const [apiKey, setApiKey] = useState("");
  const [clearKey, setClearKey] = useState(false);
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    // Only what changed: on a built-in any field stores an override.
    const body: Record<string, unknown> = {};
    if (baseUrl.trim() !== (vendor.base_url ?? "")) body.base_url = baseUrl.trim() || null;
    if (enabled !== vendor.enabled) body.enabled = enabled;
    if (clearKey) body.api_key = null;
    else if (apiKey.trim()) body.api_key = apiKey.trim();
    if (Object.keys(body).length === 0) {
      onCancel();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const v = await api<Vendor>(session, `/v1/vendors/${encodeURIComponent(vendor.slug)}`, {
        method: "PATCH",
        body,
      });
      setApiKey("");
      onSaved(v);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel" aria-label={`Edit vendor ${vendor.slug}`} noValidate onSubmit={(e) => void submit(e)}>
      <h2 ref={heading} tabIndex={-1}>
        Edit vendor {vendor.slug} <span class="meta">({vendor.kind})</span>
      </h2>
      <Field
        label="Base URL"
        hint={vendor.builtin ? "Empty: back to the configured default." : "Empty: the kind's default."}
        error={fieldError(error, "base_url")}
      >
        {(id, describedBy) => (
          <input
            id={id}
            type="url"
            value={baseUrl}
            aria-describedby={describedBy}
            onInput={(e) => setBaseUrl(e.currentTarget.value)}
          />
        )}
      </Field>
      <Check label="Enabled" checked={enabled} onChange={setEnabled} />
      <p class="meta">Now: {keyState(vendor)}.</p>
      <KeyInput
        value={apiKey}
        onInput={setApiKey}
        disabled={clearKey}
        error={error}
        hint="Write-only. Empty leaves the key as it is; a new key replaces the stored one."
      />
      {vendor.api_key_source === "stored" ? (
        <Check label="Remove stored key" checked={clearKey} onChange={setClearKey} />
      ) : null}
      <div class="row">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <FormError error={error} fields={FIELDS} />
    </form>
  );
}
