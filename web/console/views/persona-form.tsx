import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { numberOf, textOf } from "../forms";
import type { Session } from "../session";
import type { Model, Persona, Visibility } from "../types";
import { fieldError } from "../ui/error-note";
import { Field } from "../ui/field";
import { useFocusOnMount } from "../ui/focus";
import { FormError } from "../ui/form-error";
import { NumberField } from "../ui/number-field";

const FIELDS = [
  "name",
  "description",
  "system_prompt",
  "model",
  "temperature",
  "max_tokens",
  "visibility",
] as const;

interface Props {
  session: Session;
  /** Null to create one. */
  persona: Persona | null;
  onSaved: (p: Persona) => void;
  onCancel: () => void;
}

/**
 * Create or edit a persona. Who may pick the visibility: an admin with a user (shared or private);
 * the admin key writes shared ones only (it has no user to own a private one); other users,
 * private ones only.
 */
export function PersonaForm({ session, persona, onSaved, onCancel }: Props) {
  const me = session.me;
  const choosesVisibility = me.is_admin && me.user !== null;
  const fixedVisibility: Visibility = me.user === null ? "shared" : "private";
  const [name, setName] = useState(persona?.name ?? "");
  const [description, setDescription] = useState(persona?.description ?? "");
  const [systemPrompt, setSystemPrompt] = useState(persona?.system_prompt ?? "");
  const [model, setModel] = useState(persona?.model ?? "");
  const [temperature, setTemperature] = useState(textOf(persona?.temperature));
  const [maxTokens, setMaxTokens] = useState(textOf(persona?.max_tokens));
  const [visibility, setVisibility] = useState<Visibility>(persona?.visibility ?? fixedVisibility);
  const [models, setModels] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [error, setError] = useState<unknown>(null);
  const listId = `persona-models-${persona?.id ?? "new"}`;

  useEffect(() => {
    // Suggestions only: any `vendor/model` or alias may be typed.
    api<{ data: Model[] }>(session, "/v1/models")
      .then((list) => setModels(list.data.map((m) => m.id)))
      .catch(() => setModels([]));
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: Record<string, unknown> = {
      name: name.trim(),
      description: description.trim() || null,
      system_prompt: systemPrompt,
      model: model.trim(),
      temperature: numberOf(temperature) ?? null,
      max_tokens: numberOf(maxTokens) ?? null,
    };
    // Sent only when it is a choice (create) or a change: changing it is for admins.
    if (!persona || visibility !== persona.visibility) body.visibility = visibility;
    try {
      const saved = await api<Persona>(
        session,
        persona ? `/v1/personas/${encodeURIComponent(persona.id)}` : "/v1/personas",
        { method: persona ? "PATCH" : "POST", body },
      );
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const title = persona ? `Edit persona “${persona.name}”` : "Add persona";
  return (
    <form class="panel" aria-label={title} noValidate onSubmit={(e) => void submit(e)}>
      <h2 ref={heading} tabIndex={-1}>
        {title}
      </h2>
      <Field label="Name" error={fieldError(error, "name")}>
        {(id, describedBy) => (
          <input
            id={id}
            required
            value={name}
            aria-describedby={describedBy}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Description" hint="Optional." error={fieldError(error, "description")}>
        {(id, describedBy) => (
          <input
            id={id}
            value={description}
            aria-describedby={describedBy}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="System prompt" error={fieldError(error, "system_prompt")}>
        {(id, describedBy) => (
          <textarea
            id={id}
            required
            rows={6}
            value={systemPrompt}
            aria-describedby={describedBy}
            onInput={(e) => setSystemPrompt(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field
        label="Model"
        hint="vendor/model (e.g. mock/echo) or a model-config alias."
        error={fieldError(error, "model")}
      >
        {(id, describedBy) => (
          <>
            <input
              id={id}
              required
              list={listId}
              value={model}
              aria-describedby={describedBy}
              onInput={(e) => setModel(e.currentTarget.value)}
            />
            <datalist id={listId}>
              {models.map((m) => (
                <option key={m} value={m} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <div class="row">
        <NumberField
          label="Temperature"
          hint="0 to 2; empty: the model's default."
          step="0.1"
          value={temperature}
          onInput={setTemperature}
          error={fieldError(error, "temperature")}
        />
        <NumberField
          label="Max tokens"
          hint="Empty: the model's default."
          step="1"
          value={maxTokens}
          onInput={setMaxTokens}
          error={fieldError(error, "max_tokens")}
        />
        {choosesVisibility ? (
          <Field label="Visibility" error={fieldError(error, "visibility")}>
            {(id, describedBy) => (
              <select
                id={id}
                value={visibility}
                aria-describedby={describedBy}
                onChange={(e) => setVisibility(e.currentTarget.value as Visibility)}
              >
                <option value="private">Private (only me)</option>
                <option value="shared">Shared (every user reads it)</option>
              </select>
            )}
          </Field>
        ) : (
          <p class="meta">Visibility: {visibility}</p>
        )}
      </div>
      <div class="row">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : persona ? "Save" : "Add persona"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <FormError error={error} fields={FIELDS} />
    </form>
  );
}
