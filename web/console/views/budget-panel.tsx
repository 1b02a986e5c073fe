import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { count, usd, when } from "../format";
import type { Session } from "../session";
import type { BudgetStatus, Budgets, BudgetWindow, User } from "../types";
import { ErrorNote, fieldError } from "../ui/error-note";
import { Field } from "../ui/field";

interface Props {
  session: Session;
  userId: string;
}

/** A user's budgets: spent and reserved against each limit; admins can change the limits. */
export function BudgetPanel({ session, userId }: Props) {
  const [status, setStatus] = useState<BudgetStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    try {
      setStatus(await api<BudgetStatus>(session, `/v1/users/${userId}/budget`));
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
  }, [userId]);
  return (
    <section aria-labelledby="budgets">
      <h2 id="budgets">Budgets</h2>
      <ErrorNote error={error} />
      {status ? (
        <table>
          <caption>Spent and reserved (leased to running calls) per UTC day and month</caption>
          <thead>
            <tr>
              <th scope="col">Window</th>
              <th scope="col">USD</th>
              <th scope="col">Tokens</th>
              <th scope="col">Resets</th>
            </tr>
          </thead>
          <tbody>
            <WindowRow label="Today" w={status.daily} />
            <WindowRow label="This month" w={status.monthly} />
          </tbody>
        </table>
      ) : null}
      {session.me.is_admin ? (
        <BudgetForm session={session} userId={userId} onSaved={() => void load()} />
      ) : null}
    </section>
  );
}

function WindowRow({ label, w }: { label: string; w: BudgetWindow }) {
  return (
    <tr>
      <th scope="row">
        {label} ({w.window})
      </th>
      <td>
        <Meter spent={w.spent_usd} reserved={w.reserved_usd} limit={w.limit_usd} show={usd} />
      </td>
      <td>
        <Meter spent={w.spent_tokens} reserved={w.reserved_tokens} limit={w.limit_tokens} show={count} />
      </td>
      <td>{when(w.resets_at)}</td>
    </tr>
  );
}

function Meter(p: { spent: number; reserved: number; limit: number | null; show: (v: number) => string }) {
  const text = `${p.show(p.spent)} spent, ${p.show(p.reserved)} reserved, ${p.limit === null ? "no limit" : `limit ${p.show(p.limit)}`}`;
  if (p.limit === null || p.limit === 0) return <span>{text}</span>;
  const pct = (v: number) => `${Math.min(100, (100 * v) / (p.limit as number)).toFixed(1)}%`;
  return (
    <div>
      {/* The text below says the same for screen readers. */}
      <div class="bar" aria-hidden="true">
        <span style={{ width: pct(p.spent) }} />
        <span class="reserved" style={{ width: pct(p.reserved) }} />
      </div>
      <small>{text}</small>
    </div>
  );
}

const FIELDS: [keyof Budgets, string][] = [
  ["daily_usd", "Daily USD limit"],
  ["monthly_usd", "Monthly USD limit"],
  ["daily_tokens", "Daily token limit"],
  ["monthly_tokens", "Monthly token limit"],
];

function BudgetForm({ session, userId, onSaved }: Props & { onSaved: () => void }) {
  const [values, setValues] = useState<Record<string, string> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<User>(session, `/v1/users/${userId}`)
      .then((u) =>
        setValues(
          Object.fromEntries(FIELDS.map(([k]) => [k, u.budgets[k] === null ? "" : String(u.budgets[k])])),
        ),
      )
      .catch(setError);
  }, [session, userId]);
  if (!values) return <ErrorNote error={error} />;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // An empty field is no limit (null).
      const budgets = Object.fromEntries(
        FIELDS.map(([k]) => [k, values[k]?.trim() ? Number(values[k]) : null]),
      );
      await api(session, `/v1/users/${userId}`, { method: "PATCH", body: { budgets } });
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="row" onSubmit={(e) => void submit(e)} aria-label="Budget limits">
      {FIELDS.map(([k, label]) => (
        <Field key={k} label={label} hint="Empty: no limit" error={fieldError(error, `budgets.${k}`)}>
          {(id, d) => (
            <input
              id={id}
              type="number"
              min="0"
              step={k.endsWith("usd") ? "0.01" : "1"}
              value={values[k]}
              aria-describedby={d}
              onInput={(e) => setValues({ ...values, [k]: e.currentTarget.value })}
            />
          )}
        </Field>
      ))}
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save budgets"}
      </button>
      <ErrorNote error={FIELDS.some(([k]) => fieldError(error, `budgets.${k}`)) ? null : error} />
    </form>
  );
}
