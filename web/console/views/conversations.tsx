import { useState } from "preact/hooks";
import { api, type Page } from "../api";
import { when } from "../format";
import type { Conversation } from "../types";
import { ConfirmButton } from "../ui/confirm-button";
import { ErrorNote } from "../ui/error-note";
import { usePaged } from "../ui/paged";
import { Pager } from "../ui/pager";
import type { ViewProps } from ".";
import { ConversationHistory } from "./conversation-history";

/** Conversations (user keys): the caller's own, most recent activity first; open one to read it. */
export function ConversationsView({ session }: ViewProps) {
  const list = usePaged((cursor) =>
    api<Page<Conversation>>(session, "/v1/conversations", { query: { cursor } }),
  );
  const [open, setOpen] = useState<Conversation | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const remove = async (c: Conversation) => {
    setError(null);
    try {
      await api(session, `/v1/conversations/${encodeURIComponent(c.id)}`, { method: "DELETE" });
      setOpen(null);
      await list.reload();
      setNotice(`Deleted conversation “${c.title}”.`);
    } catch (err) {
      setError(err);
    }
  };

  if (open) {
    return (
      <ConversationHistory
        session={session}
        conversation={open}
        error={error}
        onBack={() => setOpen(null)}
        onDelete={() => remove(open)}
      />
    );
  }
  return (
    <section>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <ErrorNote error={error ?? list.error} />
      <table>
        <caption>Your conversations, most recent activity first</caption>
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Model</th>
            <th scope="col">Persona</th>
            <th scope="col">Last activity</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.length === 0 && !list.loading ? (
            <tr>
              <td colSpan={5}>No conversations yet.</td>
            </tr>
          ) : (
            list.items.map((c) => (
              <tr key={c.id}>
                <td class="conversation-title">{c.title}</td>
                <td class="wrap">{c.model ?? "–"}</td>
                <td class="wrap">{c.persona_id ?? "–"}</td>
                <td>{when(c.updated_at)}</td>
                <td class="actions">
                  <button
                    type="button"
                    onClick={() => {
                      setNotice(null);
                      setError(null);
                      setOpen(c);
                    }}
                  >
                    Open<span class="sr-only"> {c.title}</span>
                  </button>
                  <ConfirmButton
                    label="Delete"
                    question={`Delete “${c.title}” and its messages?`}
                    onConfirm={() => remove(c)}
                  />
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
