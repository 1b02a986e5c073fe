import { useEffect, useRef } from "preact/hooks";
import { api, type Page } from "../api";
import { count, ms, when } from "../format";
import type { Session } from "../session";
import type { ContentPart, Conversation, Message } from "../types";
import { ConfirmButton } from "../ui/confirm-button";
import { ErrorNote } from "../ui/error-note";
import { usePaged } from "../ui/paged";
import { Pager } from "../ui/pager";

/** A data: URL can be megabytes; its start says what it is. */
const shown = (url: string) =>
  url.startsWith("data:") && url.length > 120
    ? `${url.slice(0, 80)}… (${count(url.length)} characters)`
    : url;

/** One content part, as text only: nothing a message holds is ever rendered as HTML or fetched. */
function Part({ part }: { part: ContentPart }) {
  if (part.type === "text") return <div class="message-text">{part.text}</div>;
  if (part.type === "image_url")
    return (
      <p class="message-image">
        [image] <span class="url">{shown(part.image_url.url)}</span>
      </p>
    );
  return <p class="meta">[{(part as { type: string }).type}]</p>;
}

function MessageItem({ m }: { m: Message }) {
  return (
    <li class="message">
      <header>
        <span class="role">{m.role}</span>
        {m.model ? <span class="meta">{m.model}</span> : null}
        <time class="meta" dateTime={m.created_at}>
          {when(m.created_at)}
        </time>
        {m.usage ? (
          <span class="meta">
            {count(m.usage.prompt_tokens)} in / {count(m.usage.completion_tokens)} out tokens
          </span>
        ) : null}
        {m.latency_ms !== null ? <span class="meta">{ms(m.latency_ms)}</span> : null}
        {m.finish_reason && m.finish_reason !== "stop" ? (
          <span class="meta">finish: {m.finish_reason}</span>
        ) : null}
      </header>
      {m.content.map((part, i) => (
        <Part key={i} part={part} />
      ))}
    </li>
  );
}

/** A conversation's messages, oldest first, a page at a time. */
export function ConversationHistory({
  session,
  conversation,
  error,
  onBack,
  onDelete,
}: {
  session: Session;
  conversation: Conversation;
  error: unknown;
  onBack: () => void;
  onDelete: () => Promise<unknown>;
}) {
  const path = `/v1/conversations/${encodeURIComponent(conversation.id)}/messages`;
  const messages = usePaged((cursor) => api<Page<Message>>(session, path, { query: { cursor } }), [path]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [conversation.id]);

  return (
    <section aria-labelledby="conversation-title">
      <div class="row">
        <button type="button" onClick={onBack}>
          ← All conversations
        </button>
        <ConfirmButton
          label="Delete"
          question="Delete this conversation and its messages?"
          onConfirm={onDelete}
        />
      </div>
      <h2 id="conversation-title" ref={heading} tabIndex={-1}>
        {conversation.title}
      </h2>
      <p class="meta">
        Model: {conversation.model ?? "–"} · Persona: {conversation.persona_id ?? "–"} · Started{" "}
        {when(conversation.created_at)}
      </p>
      <ErrorNote error={error ?? messages.error} />
      {messages.items.length === 0 && !messages.loading ? (
        <p>No messages yet.</p>
      ) : (
        <ol class="transcript" aria-label="Messages, oldest first">
          {messages.items.map((m) => (
            <MessageItem key={m.id} m={m} />
          ))}
        </ol>
      )}
      <Pager hasMore={messages.hasMore} loading={messages.loading} more={messages.more} />
    </section>
  );
}
