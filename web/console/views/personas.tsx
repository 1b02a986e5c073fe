import { useState } from "preact/hooks";
import { api, type Page } from "../api";
import { when } from "../format";
import type { Me } from "../session";
import type { Persona, Visibility } from "../types";
import { ConfirmButton } from "../ui/confirm-button";
import { ErrorNote } from "../ui/error-note";
import { Field } from "../ui/field";
import { useListActions } from "../ui/list-actions";
import { usePaged } from "../ui/paged";
import { Pager } from "../ui/pager";
import type { ViewProps } from ".";
import { PersonaForm } from "./persona-form";

type Panel = { kind: "create" } | { kind: "edit"; persona: Persona } | null;

/** Shared personas are written by admins only; private ones by their owner (a user key). */
export const canWrite = (me: Me, p: Persona): boolean => (p.visibility === "shared" ? me.is_admin : true);

/**
 * Personas: the caller's private ones and every shared one. The admin key has no user, so it sees
 * and writes shared personas only.
 */
export function PersonasView({ session }: ViewProps) {
  const me = session.me;
  const [visibility, setVisibility] = useState<"" | Visibility>("");
  const list = usePaged(
    (cursor) => api<Page<Persona>>(session, "/v1/personas", { query: { cursor, visibility } }),
    [visibility],
  );
  const { panel, notice, error, show, done, act } = useListActions<NonNullable<Panel>>(list.reload);
  const remove = (p: Persona) =>
    act(
      () => api(session, `/v1/personas/${encodeURIComponent(p.id)}`, { method: "DELETE" }),
      `Deleted persona “${p.name}”.`,
    );

  return (
    <section>
      <div class="row">
        <button type="button" onClick={() => show({ kind: "create" })}>
          Add persona
        </button>
        {me.user ? (
          <Field label="Show">
            {(id) => (
              <select
                id={id}
                value={visibility}
                onChange={(e) => setVisibility(e.currentTarget.value as "" | Visibility)}
              >
                <option value="">All</option>
                <option value="private">Private (mine)</option>
                <option value="shared">Shared</option>
              </select>
            )}
          </Field>
        ) : (
          <p class="meta">The admin key has no user: it manages shared personas only.</p>
        )}
      </div>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {panel ? (
        <PersonaForm
          key={panel.kind === "edit" ? panel.persona.id : "(new)"}
          session={session}
          persona={panel.kind === "edit" ? panel.persona : null}
          onSaved={(p) => void done(`Saved persona “${p.name}”.`)}
          onCancel={() => show(null)}
        />
      ) : null}
      <ErrorNote error={error ?? list.error} />
      <table class="personas">
        <caption>Personas, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Visibility</th>
            <th scope="col">Model</th>
            <th scope="col">Description</th>
            <th scope="col">Updated</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.length === 0 && !list.loading ? (
            <tr>
              <td colSpan={6}>No personas.</td>
            </tr>
          ) : (
            list.items.map((p) => (
              <tr key={p.id}>
                <td class="persona-name">{p.name}</td>
                <td>{p.visibility}</td>
                <td class="wrap">{p.model}</td>
                <td class="message-text">{p.description ?? "–"}</td>
                <td>{when(p.updated_at)}</td>
                <td class="actions">
                  {canWrite(me, p) ? (
                    <>
                      <button type="button" onClick={() => show({ kind: "edit", persona: p })}>
                        Edit<span class="sr-only"> {p.name}</span>
                      </button>
                      <ConfirmButton
                        label="Delete"
                        question={`Delete persona “${p.name}”?`}
                        onConfirm={() => remove(p)}
                      />
                    </>
                  ) : (
                    <span class="meta">read-only (shared)</span>
                  )}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <Pager hasMore={list.hasMore} loading={list.loading} more={list.more} />
    </section>
  );
}
