import { api, type Page } from "../api";
import { when } from "../format";
import type { Vendor } from "../types";
import { ConfirmButton } from "../ui/confirm-button";
import { ErrorNote } from "../ui/error-note";
import { useListActions } from "../ui/list-actions";
import { usePaged } from "../ui/paged";
import { Pager } from "../ui/pager";
import type { ViewProps } from ".";
import { CreateVendorForm, EditVendorForm, keyState } from "./vendor-form";
import { VendorTest } from "./vendor-test";

type Panel = { kind: "create" } | { kind: "edit"; vendor: Vendor } | { kind: "test"; vendor: Vendor } | null;

/** Vendors (admin): the built-ins and admin-added hosts, their keys (write-only) and a test call. */
export function VendorsView({ session }: ViewProps) {
  const list = usePaged((cursor) => api<Page<Vendor>>(session, "/v1/vendors", { query: { cursor } }));
  const { panel, notice, error, show, done: saved, act } = useListActions<NonNullable<Panel>>(list.reload);
  const remove = (v: Vendor) =>
    act(
      () => api(session, `/v1/vendors/${encodeURIComponent(v.slug)}`, { method: "DELETE" }),
      `Deleted vendor ${v.slug}.`,
    );

  return (
    <section>
      <div class="row">
        <button type="button" onClick={() => show({ kind: "create" })}>
          Add vendor
        </button>
      </div>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {panel?.kind === "create" ? (
        <CreateVendorForm
          session={session}
          onSaved={(v) => void saved(`Added vendor ${v.slug}.`)}
          onCancel={() => show(null)}
        />
      ) : null}
      {panel?.kind === "edit" ? (
        <EditVendorForm
          key={panel.vendor.slug}
          session={session}
          vendor={panel.vendor}
          onSaved={(v) => void saved(`Saved vendor ${v.slug}.`)}
          onCancel={() => show(null)}
        />
      ) : null}
      {panel?.kind === "test" ? (
        <VendorTest
          key={panel.vendor.slug}
          session={session}
          vendor={panel.vendor}
          onClose={() => show(null)}
        />
      ) : null}
      <ErrorNote error={error ?? list.error} />
      <table>
        <caption>Vendors, by slug</caption>
        <thead>
          <tr>
            <th scope="col">Slug</th>
            <th scope="col">Kind</th>
            <th scope="col">Base URL</th>
            <th scope="col">Enabled</th>
            <th scope="col">API key</th>
            <th scope="col">Updated</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.items.length === 0 && !list.loading ? (
            <tr>
              <td colSpan={7}>No vendors.</td>
            </tr>
          ) : (
            list.items.map((v) => (
              <tr key={v.slug}>
                <td>
                  {v.slug}
                  {v.builtin ? <span class="meta"> (built-in)</span> : null}
                </td>
                <td>{v.kind}</td>
                <td class="wrap">{v.base_url ?? "–"}</td>
                <td>{v.enabled ? "yes" : "no"}</td>
                <td>{keyState(v)}</td>
                <td>{when(v.updated_at)}</td>
                <td class="actions">
                  <button type="button" onClick={() => show({ kind: "edit", vendor: v })}>
                    Edit<span class="sr-only"> {v.slug}</span>
                  </button>
                  <button type="button" onClick={() => show({ kind: "test", vendor: v })}>
                    Test<span class="sr-only"> {v.slug}</span>
                  </button>
                  {v.builtin ? null : (
                    <ConfirmButton
                      label="Delete"
                      question={`Delete vendor ${v.slug}?`}
                      onConfirm={() => remove(v)}
                    />
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
