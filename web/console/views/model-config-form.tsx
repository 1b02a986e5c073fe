import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { allPages, exactError, numberOf, parseJsonObject, textOf } from "../forms";
import type { Session } from "../session";
import { CAPABILITIES, type Capability, type ModelConfig, type Vendor } from "../types";
import { Check } from "../ui/check";
import { ErrorNote, fieldError } from "../ui/error-note";
import { Field } from "../ui/field";
import { useFocusOnMount } from "../ui/focus";
import { FormError } from "../ui/form-error";
import { NumberField } from "../ui/number-field";

const FIELDS = [
  "alias",
  "vendor",
  "upstream_model",
  "capabilities",
  "pricing",
  "context_window",
  "max_output_tokens",
  "fallbacks",
  "cache_ttl_seconds",
  "defaults",
] as const;

const CAPABILITY_LABELS: Record<Capability, string> = {
  vision: "Vision (image inputs)",
  tools: "Tools",
  image_generation: "Image generation",
  streaming: "Streaming",
};

interface Props {
  session: Session;
  /** Null to create one. */
  config: ModelConfig | null;
  onSaved: (m: ModelConfig) => void;
  onCancel: () => void;
}

/** Create or edit a model config; a server validation error is shown on the field it names. */
export function ModelConfigForm({ session, config, onSaved, onCancel }: Props) {
  const [alias, setAlias] = useState("");
  const [vendor, setVendor] = useState(config?.vendor ?? "");
  const [upstream, setUpstream] = useState(config?.upstream_model ?? "");
  const [caps, setCaps] = useState<Record<Capability, boolean>>(
    config?.capabilities ?? { vision: false, tools: false, image_generation: false, streaming: true },
  );
  const [priceIn, setPriceIn] = useState(textOf(config?.pricing?.input_per_mtok));
  const [priceOut, setPriceOut] = useState(textOf(config?.pricing?.output_per_mtok));
  const [contextWindow, setContextWindow] = useState(textOf(config?.context_window));
  const [maxOutput, setMaxOutput] = useState(textOf(config?.max_output_tokens));
  const [fallbacks, setFallbacks] = useState(config?.fallbacks.join(", ") ?? "");
  const [cacheTtl, setCacheTtl] = useState(textOf(config?.cache_ttl_seconds));
  const [defaults, setDefaults] = useState(
    config && Object.keys(config.defaults).length > 0 ? JSON.stringify(config.defaults, null, 2) : "",
  );
  const [defaultsProblem, setDefaultsProblem] = useState<string | null>(null);
  const [vendors, setVendors] = useState<Vendor[] | null>(null);
  const [vendorsError, setVendorsError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    allPages<Vendor>(session, "/v1/vendors")
      .then((all) => {
        setVendors(all);
        if (!config && all[0]) setVendor((v) => v || (all.find((x) => x.enabled) ?? all[0])?.slug || "");
      })
      .catch(setVendorsError);
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const parsed = parseJsonObject(defaults);
    setDefaultsProblem(parsed.problem ?? null);
    if (parsed.problem) {
      const form = e.currentTarget as HTMLFormElement;
      setTimeout(() => form.querySelector<HTMLElement>(".invalid textarea")?.focus());
      return;
    }
    // Empty price boxes: no pricing (cleared on edit); one empty box is the server's to refuse.
    const pricing =
      priceIn.trim() === "" && priceOut.trim() === ""
        ? null
        : { input_per_mtok: numberOf(priceIn), output_per_mtok: numberOf(priceOut) };
    // Vendor and model are sent only when they changed: on a config routed over several targets,
    // sending them would make it a single target again.
    const moved = !config || vendor !== config.vendor || upstream.trim() !== config.upstream_model;
    const body: Record<string, unknown> = {
      ...(moved ? { vendor, upstream_model: upstream.trim() } : {}),
      capabilities: caps,
      pricing,
      context_window: numberOf(contextWindow) ?? null,
      max_output_tokens: numberOf(maxOutput) ?? null,
      cache_ttl_seconds: numberOf(cacheTtl) ?? null,
      fallbacks: fallbacks
        .split(",")
        .map((f) => f.trim())
        .filter(Boolean),
      defaults: parsed.value,
    };
    if (!config) body.alias = alias.trim();
    setBusy(true);
    try {
      const saved = await api<ModelConfig>(
        session,
        config ? `/v1/model-configs/${encodeURIComponent(config.alias)}` : "/v1/model-configs",
        { method: config ? "PATCH" : "POST", body },
      );
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const title = config ? `Edit model config ${config.alias}` : "Add model config";

  return (
    <form class="panel" aria-label={title} noValidate onSubmit={(e) => void submit(e)}>
      <h2 ref={heading} tabIndex={-1}>
        {title}
      </h2>
      {config ? null : (
        <Field
          label="Alias"
          hint="The model name callers send, e.g. fast."
          error={fieldError(error, "alias")}
        >
          {(id, describedBy) => (
            <input
              id={id}
              required
              value={alias}
              aria-describedby={describedBy}
              onInput={(e) => setAlias(e.currentTarget.value)}
            />
          )}
        </Field>
      )}
      <ErrorNote error={vendorsError} />
      {config && config.targets.length > 1 ? (
        <p class="notice">
          Routed by weight over{" "}
          {config.targets.map((t) => `${t.vendor}/${t.upstream_model} (${t.weight})`).join(", ")}. Change the
          targets through the API (PATCH <code>targets</code>); choosing a vendor and model here makes this a
          single target.
        </p>
      ) : null}
      <Field label="Vendor" error={fieldError(error, "vendor")}>
        {(id, describedBy) => (
          <select
            id={id}
            value={vendor}
            aria-describedby={describedBy}
            onChange={(e) => setVendor(e.currentTarget.value)}
          >
            {vendors === null ? <option value={vendor}>{vendor || "Loading…"}</option> : null}
            {(vendors ?? []).map((v) => (
              <option key={v.slug} value={v.slug}>
                {v.slug} ({v.kind}
                {v.enabled ? "" : ", disabled"})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Upstream model"
        hint="The vendor's own name, e.g. gpt-4o-mini."
        error={fieldError(error, "upstream_model")}
      >
        {(id, describedBy) => (
          <input
            id={id}
            required
            value={upstream}
            aria-describedby={describedBy}
            onInput={(e) => setUpstream(e.currentTarget.value)}
          />
        )}
      </Field>
      <fieldset class={fieldError(error, "capabilities") ? "invalid" : undefined}>
        <legend>Capabilities</legend>
        {CAPABILITIES.map((c) => (
          <Check
            key={c}
            label={CAPABILITY_LABELS[c]}
            checked={caps[c]}
            onChange={(on) => setCaps((old) => ({ ...old, [c]: on }))}
          />
        ))}
        {fieldError(error, "capabilities") ? (
          <small class="field-error" role="alert">
            {fieldError(error, "capabilities")}
          </small>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Pricing (USD per million tokens; both empty: no pricing)</legend>
        <div class="row">
          <NumberField
            label="Input per Mtok"
            value={priceIn}
            onInput={setPriceIn}
            error={fieldError(error, "pricing.input_per_mtok")}
          />
          <NumberField
            label="Output per Mtok"
            value={priceOut}
            onInput={setPriceOut}
            error={fieldError(error, "pricing.output_per_mtok")}
          />
        </div>
        {exactError(error, "pricing") ? (
          <small class="field-error" role="alert">
            {exactError(error, "pricing")}
          </small>
        ) : null}
      </fieldset>
      <div class="row">
        <NumberField
          label="Context window"
          hint="Tokens; empty: unknown."
          step="1"
          value={contextWindow}
          onInput={setContextWindow}
          error={fieldError(error, "context_window")}
        />
        <NumberField
          label="Max output tokens"
          step="1"
          value={maxOutput}
          onInput={setMaxOutput}
          error={fieldError(error, "max_output_tokens")}
        />
        <NumberField
          label="Cache TTL (seconds)"
          hint="Empty: the gateway's default."
          step="1"
          value={cacheTtl}
          onInput={setCacheTtl}
          error={fieldError(error, "cache_ttl_seconds")}
        />
      </div>
      <Field
        label="Fallbacks"
        hint="Comma-separated aliases or vendor/model, tried in order (at most 5)."
        error={fieldError(error, "fallbacks")}
      >
        {(id, describedBy) => (
          <input
            id={id}
            value={fallbacks}
            aria-describedby={describedBy}
            onInput={(e) => setFallbacks(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field
        label="Defaults (JSON)"
        hint='Request parameters used when a call omits them, e.g. {"temperature": 0.2}.'
        error={defaultsProblem ?? fieldError(error, "defaults")}
      >
        {(id, describedBy) => (
          <textarea
            id={id}
            class="code"
            spellcheck={false}
            value={defaults}
            aria-describedby={describedBy}
            onInput={(e) => setDefaults(e.currentTarget.value)}
          />
        )}
      </Field>
      <div class="row">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : config ? "Save" : "Add model config"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <FormError error={error} fields={FIELDS} />
    </form>
  );
}
