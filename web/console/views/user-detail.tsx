import { useEffect, useState } from "preact/hooks";
import { api, type Page } from "../api";
import { when } from "../format";
import type { Session } from "../session";
import { type ApiKey, type CreatedApiKey, RATE_LIMIT_TIERS } from "../types";
import { CopyButton } from "../ui/copy-button";
import { ErrorNote, fieldError } from "../ui/error-note";
import { Field } from "../ui/field";
import { usePaged } from "../ui/paged";
import { Pager } from "../ui/pager";
import { BudgetPanel } from "./budget-panel";

interface Props {
  session: Session;
  userId: string;
}

/** One user's API keys and budgets; what only admins may change is shown to admins only. */
export function UserDetail({ session, userId }: Props) {
  const keys = usePaged<ApiKey>(
    (cursor) => api<Page<ApiKey>>(session, `/v1/users/${userId}/api-keys`, { query: { limit: 20, cursor } }),
    [userId],
  );
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  return (
    <section aria-labelledby="user-detail">
      <h2 id="user-detail">API keys</h2>
      <CreateKey
        session={session}
        userId={userId}
        onCreated={(k) => {
          setCreated(k);
          void keys.reload();
        }}
      />
      {created ? <NewKey created={created} onDone={() => setCreated(null)} /> : null}
      <ErrorNote error={keys.error} />
      <table>
        <caption>Keys, newest first (the key itself is never shown again)</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Requests/min</th>
            <th scope="col">Scope</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {keys.items.map((k) => (
            <KeyRow
              key={k.id}
              session={session}
              userId={userId}
              apiKey={k}
              onChanged={() => void keys.reload()}
            />
          ))}
        </tbody>
      </table>
      <Pager hasMore={keys.hasMore} loading={keys.loading} more={keys.more} />
      <BudgetPanel session={session} userId={userId} />
    </section>
  );
}

/** What the key may call and the tags its usage carries; "every model" when unrestricted. */
function KeyScope({ apiKey }: { apiKey: ApiKey }) {
  const tags = Object.entries(apiKey.metadata ?? {});
  const b = apiKey.budgets;
  const limits = [
    b.daily_usd !== null ? `$${b.daily_usd}/day` : null,
    b.monthly_usd !== null ? `$${b.monthly_usd}/month` : null,
    b.daily_tokens !== null ? `${b.daily_tokens} tokens/day` : null,
    b.monthly_tokens !== null ? `${b.monthly_tokens} tokens/month` : null,
  ].filter(Boolean);
  return (
    <span class="meta">
      {apiKey.models ? `models: ${apiKey.models.join(", ")}` : "every model"}
      {tags.length > 0 ? ` · tags: ${tags.map(([k, v]) => `${k}=${v}`).join(", ")}` : ""}
      {limits.length > 0 ? ` · budget: ${limits.join(", ")}` : ""}
    </span>
  );
}

/** `a, b*` → ["a", "b*"]; empty → null (every model). */
const modelList = (text: string): string[] | null => {
  const list = text
    .split(",")
    .map((m) => m.trim())
    .filter(Boolean);
  return list.length > 0 ? list : null;
};

/** `team=search, env=prod` → {team: "search", env: "prod"}; empty → null. */
const tagObject = (text: string): Record<string, string> | null => {
  const pairs = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const at = p.indexOf("=");
      return at < 0 ? [p, ""] : [p.slice(0, at).trim(), p.slice(at + 1).trim()];
    });
  return pairs.length > 0 ? Object.fromEntries(pairs) : null;
};

function CreateKey({ session, userId, onCreated }: Props & { onCreated: (k: CreatedApiKey) => void }) {
  const [name, setName] = useState("");
  const [models, setModels] = useState("");
  const [tags, setTags] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const allowed = modelList(models);
      const metadata = tagObject(tags);
      const body = {
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(allowed ? { models: allowed } : {}),
        ...(metadata ? { metadata } : {}),
      };
      onCreated(await api<CreatedApiKey>(session, `/v1/users/${userId}/api-keys`, { method: "POST", body }));
      setName("");
      setModels("");
      setTags("");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="row" onSubmit={(e) => void submit(e)} aria-label="Create an API key">
      <Field label="Key name (optional)" error={fieldError(error, "name")}>
        {(id, d) => (
          <input id={id} value={name} aria-describedby={d} onInput={(e) => setName(e.currentTarget.value)} />
        )}
      </Field>
      <Field
        label="Models (optional)"
        hint="Comma-separated, e.g. fast, anthropic/*; empty: every model"
        error={fieldError(error, "models")}
      >
        {(id, d) => (
          <input
            id={id}
            value={models}
            aria-describedby={d}
            onInput={(e) => setModels(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Tags (optional)" hint="e.g. team=search, env=prod" error={fieldError(error, "metadata")}>
        {(id, d) => (
          <input id={id} value={tags} aria-describedby={d} onInput={(e) => setTags(e.currentTarget.value)} />
        )}
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create key"}
      </button>
      <ErrorNote error={fieldError(error, "name", "models", "metadata") ? null : error} />
    </form>
  );
}

/** The new key, once: the API never returns it again. */
function NewKey({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  return (
    <div class="warning" role="alert">
      <p>
        <strong>Copy this key now.</strong> It is shown only once; Switchboard keeps only its hash.
      </p>
      <p class="secret" data-testid="new-key">
        {created.key}
      </p>
      <div class="row">
        <CopyButton text={created.key} label="Copy key" />
        <button type="button" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </div>
  );
}

function KeyRow({ session, userId, apiKey, onChanged }: Props & { apiKey: ApiKey; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const act = async (init: Parameters<typeof api>[2]) => {
    setBusy(true);
    setError(null);
    try {
      await api(session, `/v1/users/${userId}/api-keys/${apiKey.id}`, init);
      onChanged();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const revoked = apiKey.revoked_at !== null;
  const label = apiKey.name ?? apiKey.prefix;
  return (
    <tr>
      <th scope="row">{apiKey.name ?? "–"}</th>
      <td class="secret">{apiKey.prefix}…</td>
      <td>{when(apiKey.created_at)}</td>
      <td>{when(apiKey.last_used_at)}</td>
      <td>{when(apiKey.expires_at)}</td>
      <td>
        {session.me.is_admin && !revoked ? (
          <select
            aria-label={`Requests per minute of ${label}`}
            disabled={busy}
            value={String(apiKey.rate_limit_per_minute ?? 600)}
            onChange={(e) =>
              void act({ method: "PATCH", body: { rate_limit_per_minute: Number(e.currentTarget.value) } })
            }
          >
            {RATE_LIMIT_TIERS.map((t) => (
              <option key={t} value={String(t)}>
                {t}
              </option>
            ))}
          </select>
        ) : (
          (apiKey.rate_limit_per_minute ?? 600)
        )}
      </td>
      <td>
        <KeyScope apiKey={apiKey} />
      </td>
      <td>
        {revoked ? (
          `revoked ${when(apiKey.revoked_at)}`
        ) : (
          <RevokeButton label={label} busy={busy} onRevoke={() => void act({ method: "DELETE" })} />
        )}
        <ErrorNote error={error} />
      </td>
    </tr>
  );
}

/** Revoking asks once more: the key stops working at once, for every client using it. */
function RevokeButton({ label, busy, onRevoke }: { label: string; busy: boolean; onRevoke: () => void }) {
  const [confirming, setConfirming] = useState(false);
  useEffect(() => setConfirming(false), [busy]);
  if (!confirming) {
    return (
      <button
        type="button"
        class="danger"
        disabled={busy}
        onClick={() => setConfirming(true)}
        aria-label={`Revoke ${label}`}
      >
        Revoke
      </button>
    );
  }
  return (
    <span class="row">
      <button type="button" class="danger" disabled={busy} onClick={onRevoke}>
        {busy ? "Revoking…" : `Yes, revoke ${label}`}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
  );
}
