import { useEffect, useState } from "preact/hooks";
import { ApiError, api, call } from "../api";
import { ms } from "../format";
import type { Session } from "../session";
import type { Model, Vendor } from "../types";
import { ErrorNote } from "../ui/error-note";
import { Field } from "../ui/field";
import { useFocusOnMount } from "../ui/focus";

const OTHER = "__other__";

interface Outcome {
  status: number;
  latencyMs: number;
  model: string;
  reply: string | null;
  error: unknown;
}

/**
 * One small call through the gateway to `<slug>/<model>` (a chat completion of "ping", 16 tokens
 * at most): its HTTP status, the latency seen from this browser, and the error with its request id.
 */
export function VendorTest({
  session,
  vendor,
  onClose,
}: {
  session: Session;
  vendor: Vendor;
  onClose: () => void;
}) {
  const prefix = `${vendor.slug}/`;
  const [known, setKnown] = useState<string[] | null>(null);
  const [choice, setChoice] = useState("");
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [listError, setListError] = useState<unknown>(null);

  useEffect(() => {
    api<{ data: Model[] }>(session, "/v1/models")
      .then((list) => {
        const names = list.data
          .filter((m) => m.owned_by === vendor.slug && m.id.startsWith(prefix))
          .map((m) => m.id.slice(prefix.length));
        setKnown(names);
        setChoice(names[0] ?? OTHER);
      })
      .catch((err) => {
        setListError(err);
        setKnown([]);
        setChoice(OTHER);
      });
  }, [vendor.slug]);

  const model = choice === OTHER ? typed.trim() : choice;
  const run = async (e: Event) => {
    e.preventDefault();
    if (!model) return;
    setBusy(true);
    setOutcome(null);
    const full = `${prefix}${model}`;
    const started = performance.now();
    try {
      const res = await call(session.key, "/v1/chat/completions", {
        method: "POST",
        body: { model: full, messages: [{ role: "user", content: "ping" }], max_tokens: 16 },
      });
      const body = (await res.json()) as { choices?: { message?: { content?: string | null } }[] };
      const latencyMs = Math.round(performance.now() - started);
      const reply = body.choices?.[0]?.message?.content ?? null;
      setOutcome({ status: res.status, latencyMs, model: full, reply, error: null });
    } catch (err) {
      const latencyMs = Math.round(performance.now() - started);
      setOutcome({
        status: err instanceof ApiError ? err.status : 0,
        latencyMs,
        model: full,
        reply: null,
        error: err,
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel" aria-label={`Test vendor ${vendor.slug}`} onSubmit={(e) => void run(e)}>
      <h2 ref={heading} tabIndex={-1}>
        Test vendor {vendor.slug}
      </h2>
      <p class="meta">
        Sends “ping” (at most 16 tokens) to {prefix}
        {model || "…"} through the gateway; it counts as usage like any call.
      </p>
      <ErrorNote error={listError} />
      {known === null ? (
        <p class="busy" role="status">
          Loading models…
        </p>
      ) : (
        <div class="row">
          {known.length > 0 ? (
            <Field label="Model">
              {(id) => (
                <select id={id} value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
                  {known.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                  <option value={OTHER}>Other (type it)</option>
                </select>
              )}
            </Field>
          ) : null}
          {choice === OTHER ? (
            <Field
              label={known.length > 0 ? "Other model" : "Model"}
              hint={`The upstream name, without "${prefix}".`}
            >
              {(id, describedBy) => (
                <input
                  id={id}
                  value={typed}
                  required
                  aria-describedby={describedBy}
                  onInput={(e) => setTyped(e.currentTarget.value)}
                />
              )}
            </Field>
          ) : null}
        </div>
      )}
      <div class="row">
        <button type="submit" disabled={busy || !model}>
          {busy ? "Testing…" : "Run test"}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {outcome ? <TestOutcome outcome={outcome} /> : null}
    </form>
  );
}

function TestOutcome({ outcome }: { outcome: Outcome }) {
  const ok = outcome.error === null;
  return (
    <div class="test-result" role="status">
      <p>
        <strong class={ok ? "ok" : "error"}>{ok ? "OK" : "Failed"}</strong>: {outcome.model}, HTTP{" "}
        {outcome.status || "(no answer)"}, {ms(outcome.latencyMs)} from this browser
      </p>
      {ok ? (
        <p>
          Reply: <span class="message-text">{outcome.reply ?? "(no text)"}</span>
        </p>
      ) : (
        <ErrorNote error={outcome.error} />
      )}
    </div>
  );
}
