import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Page } from "../api";
import { count, ms } from "../format";
import type { Model, Persona } from "../types";
import { ErrorNote } from "../ui/error-note";
import { Field } from "../ui/field";
import type { ViewProps } from ".";
import { type ChatMessage, type ChatOutcome, sendChat } from "./chat-stream";

/** Chat with any model or alias the key may use, optionally as a persona, streamed as it arrives. */
export function PlaygroundView({ session }: ViewProps) {
  const [models, setModels] = useState<Model[]>([]);
  const [personas, setPersonas] = useState<Persona[]>([]);
  const [model, setModel] = useState("mock/echo");
  const [personaId, setPersonaId] = useState("");
  const [stream, setStream] = useState(true);
  const [input, setInput] = useState("");
  const [transcript, setTranscript] = useState<ChatMessage[]>([]);
  const [answer, setAnswer] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<ChatOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    api<{ data: Model[] }>(session, "/v1/models")
      .then((m) => setModels(m.data))
      .catch(setError);
    api<Page<Persona>>(session, "/v1/personas", { query: { limit: 100 } })
      .then((p) => setPersonas(p.data))
      .catch(setError);
    return () => abort.current?.abort();
  }, [session]);

  const persona = personas.find((p) => p.id === personaId);
  const choosePersona = (id: string) => {
    setPersonaId(id);
    const p = personas.find((x) => x.id === id);
    if (p) setModel(p.model);
  };

  const send = async (e: Event) => {
    e.preventDefault();
    const text = input.trim();
    if (!text) return;
    const history: ChatMessage[] = [...transcript, { role: "user", content: text }];
    setTranscript(history);
    setInput("");
    setAnswer("");
    setOutcome(null);
    setError(null);
    setBusy(true);
    abort.current = new AbortController();
    try {
      const messages: ChatMessage[] = persona
        ? [{ role: "system", content: persona.system_prompt }, ...history]
        : history;
      const result = await sendChat(
        session.key,
        {
          model,
          messages,
          temperature: persona?.temperature ?? undefined,
          max_tokens: persona?.max_tokens ?? undefined,
        },
        stream,
        setAnswer,
        abort.current.signal,
      );
      setTranscript([...history, { role: "assistant", content: result.text }]);
      setAnswer(null);
      setOutcome(result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="playground">
      <form onSubmit={(e) => void send(e)} aria-label="Chat">
        <div class="row">
          <Field label="Model">
            {(id) => (
              <>
                <input
                  id={id}
                  list={`${id}-list`}
                  value={model}
                  required
                  onInput={(e) => setModel(e.currentTarget.value)}
                />
                <datalist id={`${id}-list`}>
                  {models.map((m) => (
                    <option key={m.id} value={m.id} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Persona">
            {(id) => (
              <select id={id} value={personaId} onChange={(e) => choosePersona(e.currentTarget.value)}>
                <option value="">None</option>
                {personas.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <label class="check">
            <input type="checkbox" checked={stream} onChange={(e) => setStream(e.currentTarget.checked)} />{" "}
            Stream
          </label>
          <button type="button" onClick={() => setTranscript([])} disabled={busy}>
            New chat
          </button>
        </div>
        <div class="transcript" aria-live="polite" data-testid="transcript">
          {transcript.map((m, i) => (
            <p key={`${i}-${m.role}`}>
              <strong>{m.role}: </strong>
              <span class="message-text">{m.content}</span>
            </p>
          ))}
          {answer !== null ? (
            <p>
              <strong>assistant: </strong>
              <span class="message-text" data-testid="streaming-answer">
                {answer}
              </span>
            </p>
          ) : null}
        </div>
        <Field label="Message">
          {(id) => (
            <textarea
              id={id}
              value={input}
              onInput={(e) => setInput(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void send(e);
              }}
            />
          )}
        </Field>
        <div class="row">
          <button type="submit" disabled={busy || input.trim() === ""}>
            {busy ? "Answering…" : "Send"}
          </button>
          {busy ? (
            <button type="button" onClick={() => abort.current?.abort()}>
              Stop
            </button>
          ) : null}
        </div>
      </form>
      <ErrorNote error={error} />
      {outcome ? <Outcome outcome={outcome} /> : null}
    </section>
  );
}

function Outcome({ outcome }: { outcome: ChatOutcome }) {
  return (
    <dl class="meta" data-testid="outcome">
      <dt>Usage</dt>
      <dd>
        {outcome.usage
          ? `${count(outcome.usage.prompt_tokens)} in, ${count(outcome.usage.completion_tokens)} out`
          : "not reported"}
      </dd>
      <dt>Latency</dt>
      <dd>
        {ms(outcome.totalMs)} in total
        {outcome.firstByteMs !== null ? `, first text after ${ms(outcome.firstByteMs)}` : ""}
      </dd>
      <dt>Finish reason</dt>
      <dd>{outcome.finishReason ?? "–"}</dd>
      {outcome.headers.map(([name, value]) => (
        <>
          <dt key={`${name}-n`}>{name}</dt>
          <dd key={`${name}-v`}>{value}</dd>
        </>
      ))}
    </dl>
  );
}
