import { useState } from "preact/hooks";
import { api } from "../api";
import { type Me, type Session, saveSession } from "../session";
import { ErrorNote } from "../ui/error-note";
import { Field } from "../ui/field";

/** Sign in with an API key: an admin key, or a user's key (which sees only its own things). */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (s: Session) => void }) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>(key.trim(), "/v1/me");
      const session = { key: key.trim(), me };
      saveSession(session);
      onSignedIn(session);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main">
      <h1>Switchboard console</h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={(e) => void submit(e)}>
        <Field label="API key" hint="Kept in this tab only (sessionStorage) until you sign out or close it.">
          {(id, describedBy) => (
            <input
              id={id}
              type="password"
              autocomplete="off"
              spellcheck={false}
              required
              value={key}
              aria-describedby={describedBy}
              onInput={(e) => setKey(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={busy || key.trim() === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
}
