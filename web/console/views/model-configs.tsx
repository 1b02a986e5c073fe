import { api, type Page } from "../api";
import { count, usd } from "../format";
import { CAPABILITIES, type ModelConfig } from "../types";
import { ConfirmButton } from "../ui/confirm-button";
import { ErrorNote } from "../ui/error-note";
import { useListActions } from "../ui/list-actions";
import { usePaged } from "../ui/paged";
import { Pager } from "../ui/pager";
import type { ViewProps } from ".";
import { ModelConfigForm } from "./model-config-form";

type Panel = { kind: "create" } | { kind: "edit"; config: ModelConfig } | null;

const num = (v: number | null) => (v === null ? "–" : count(v));

/** Model configs (admin): aliases onto a vendor's model, with capabilities, prices and fallbacks. */
export function ModelConfigsView({ session }: ViewProps) {
  const list = usePaged((cursor) =>
    api<Page<ModelConfig>>(session, "/v1/model-configs", { query: { cursor } }),
  );
  const { panel, notice, error, show, done, act } = useListActions<NonNullable<Panel>>(list.reload);
  const remove = (m: ModelConfig) =>
    act(
      () => api(session, `/v1/model-configs/${encodeURIComponent(m.alias)}`, { method: "DELETE" }),
      `Deleted model config ${m.alias}.`,
    );

  return (
    <section>
      <div class="row">
        <button type="button" onClick={() => show({ kind: "create" })}>
          Add model config
        </button>
      </div>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {panel ? (
        <ModelConfigForm
          key={panel.kind === "edit" ? panel.config.alias : "(new)"}
          session={session}
          config={panel.kind === "edit" ? panel.config : null}
          onSaved={(m) => void done(`Saved model config ${m.alias}.`)}
          onCancel={() => show(null)}
        />
      ) : null}
      <ErrorNote error={error ?? list.error} />
      <table>
        <caption>Model configs, by alias</caption>
        <thead>
          <tr>
            <th scope="col">Alias</th>
            <th scope="col">Model</th>
            <th scope="col">Capabilities</th>
            <th scope="col">Price in / out (per Mtok)</th>
            <th scope="col">Context / max output</th>
            <th scope="col">Fallbacks</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.length === 0 && !list.loading ? (
            <tr>
              <td colSpan={7}>No model configs yet.</td>
            </tr>
          ) : (
            list.items.map((m) => (
              <tr key={m.alias}>
                <td>{m.alias}</td>
                <td class="wrap">
                  {m.vendor}/{m.upstream_model}
                </td>
                <td>{CAPABILITIES.filter((c) => m.capabilities[c]).join(", ") || "–"}</td>
                <td>
                  {m.pricing ? `${usd(m.pricing.input_per_mtok)} / ${usd(m.pricing.output_per_mtok)}` : "–"}
                </td>
                <td>
                  {num(m.context_window)} / {num(m.max_output_tokens)}
                </td>
                <td class="wrap">{m.fallbacks.join(", ") || "–"}</td>
                <td class="actions">
                  <button type="button" onClick={() => show({ kind: "edit", config: m })}>
                    Edit<span class="sr-only"> {m.alias}</span>
                  </button>
                  <ConfirmButton
                    label="Delete"
                    question={`Delete model config ${m.alias}?`}
                    onConfirm={() => remove(m)}
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
