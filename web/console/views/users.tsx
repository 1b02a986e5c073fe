import { useState } from "preact/hooks";
import { api, type Page } from "../api";
import { when } from "../format";
import type { User } from "../types";
import { ErrorNote, fieldError } from "../ui/error-note";
import { Field } from "../ui/field";
import { usePaged } from "../ui/paged";
import { Pager } from "../ui/pager";
import type { ViewProps } from ".";
import { UserDetail } from "./user-detail";

/** Admins: every user, a form to add one, and the chosen user's keys and budgets. */
export function UsersView({ session }: ViewProps) {
  const [selected, setSelected] = useState<string | null>(null);
  const users = usePaged<User>((cursor) =>
    api<Page<User>>(session, "/v1/users", { query: { limit: 20, cursor } }),
  );
  return (
    <section>
      <CreateUser
        session={session}
        onCreated={(u) => {
          void users.reload();
          setSelected(u.id);
        }}
      />
      <ErrorNote error={users.error} />
      <table>
        <caption>Users, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.items.map((u) => (
            <tr key={u.id} aria-selected={u.id === selected}>
              <th scope="row">{u.email}</th>
              <td>{u.name ?? "–"}</td>
              <td>{u.role}</td>
              <td>{when(u.created_at)}</td>
              <td>
                <button
                  type="button"
                  onClick={() => setSelected(u.id)}
                  aria-label={`Keys and budgets of ${u.email}`}
                >
                  Keys and budgets
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager hasMore={users.hasMore} loading={users.loading} more={users.more} />
      {selected ? <UserDetail key={selected} session={session} userId={selected} /> : null}
    </section>
  );
}

function CreateUser({ session, onCreated }: ViewProps & { onCreated: (u: User) => void }) {
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState("user");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await api<User>(session, "/v1/users", {
        method: "POST",
        body: { email, role, ...(name.trim() ? { name: name.trim() } : {}) },
      });
      setEmail("");
      setName("");
      onCreated(user);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="row" onSubmit={(e) => void submit(e)} aria-label="Create a user">
      <Field label="Email" error={fieldError(error, "email")}>
        {(id, d) => (
          <input
            id={id}
            type="email"
            required
            value={email}
            aria-describedby={d}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Name (optional)" error={fieldError(error, "name")}>
        {(id, d) => (
          <input id={id} value={name} aria-describedby={d} onInput={(e) => setName(e.currentTarget.value)} />
        )}
      </Field>
      <Field label="Role">
        {(id) => (
          <select id={id} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="user">user</option>
            <option value="admin">admin</option>
          </select>
        )}
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create user"}
      </button>
      <ErrorNote error={fieldError(error, "email", "name") ? null : error} />
    </form>
  );
}
