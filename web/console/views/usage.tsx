import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { count, csvCell, isoDay, ms, usd } from "../format";
import type { UsageReport } from "../types";
import { denseBuckets, valuesOf } from "../ui/buckets";
import { Chart } from "../ui/chart";
import { ErrorNote } from "../ui/error-note";
import { Field } from "../ui/field";
import type { ViewProps } from ".";

const GROUPS = ["day", "hour", "model", "vendor", "key", "alias", "session"];
const DAY_MS = 86_400_000;

/** Usage and cost over a range: `/v1/admin/usage` for admins (every user), `/v1/usage` otherwise. */
export function UsageView({ session }: ViewProps) {
  const admin = session.me.is_admin;
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 29 * DAY_MS)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [groupBy, setGroupBy] = useState("day");
  const [report, setReport] = useState<UsageReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      // `to` is exclusive in the API; the form's end date is inclusive, as people read ranges.
      const end = isoDay(new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS));
      setReport(
        await api<UsageReport>(session, admin ? "/v1/admin/usage" : "/v1/usage", {
          query: { from, to: end, group_by: groupBy },
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load();
  }, [groupBy]);

  return (
    <section>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <Field label="From (UTC)">
          {(id) => (
            <input
              id={id}
              type="date"
              value={from}
              required
              onInput={(e) => setFrom(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="To (UTC, inclusive)">
          {(id) => (
            <input id={id} type="date" value={to} required onInput={(e) => setTo(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Group by">
          {(id) => (
            <select id={id} value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)}>
              {[...GROUPS, ...(admin ? ["user"] : [])].map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? "Loading…" : "Show"}
        </button>
        {report ? (
          <button type="button" onClick={() => downloadCsv(report)}>
            Export CSV
          </button>
        ) : null}
      </form>
      <ErrorNote error={error} />
      {report ? <UsageResult report={report} /> : null}
    </section>
  );
}

function UsageResult({ report }: { report: UsageReport }) {
  const timed = report.group_by === "day" || report.group_by === "hour";
  const chart = useMemo(() => {
    if (!timed) return null;
    const { times, rows } = denseBuckets(report, report.group_by as "day" | "hour");
    return {
      times,
      requests: [
        { label: "Requests", values: valuesOf(rows, (g) => g.requests) },
        { label: "Errors", values: valuesOf(rows, (g) => g.errors) },
        { label: "Cache hits", values: valuesOf(rows, (g) => g.cache_hits) },
      ],
      cost: [{ label: "Spend (USD)", values: valuesOf(rows, (g) => g.cost_usd) }],
    };
  }, [report, timed]);
  return (
    <>
      {chart && chart.times.length > 0 ? (
        <div class="charts">
          <Chart title="Requests" times={chart.times} series={chart.requests} />
          <Chart title="Spend" times={chart.times} series={chart.cost} format={usd} />
        </div>
      ) : null}
      <UsageTable report={report} />
    </>
  );
}

export function UsageTable({ report }: { report: UsageReport }) {
  const t = report.totals;
  return (
    <table>
      <caption>
        Usage by {report.group_by}, {report.from.slice(0, 10)} to {report.to.slice(0, 10)} (end exclusive)
      </caption>
      <thead>
        <tr>
          <th scope="col">{report.group_by}</th>
          <th scope="col">Requests</th>
          <th scope="col">Errors</th>
          <th scope="col">Cache hits</th>
          <th scope="col">Input tokens</th>
          <th scope="col">Output tokens</th>
          <th scope="col">Cached tokens</th>
          <th scope="col">Cost</th>
          <th scope="col">Avg latency</th>
        </tr>
      </thead>
      <tbody>
        {report.data.length === 0 ? (
          <tr>
            <td colSpan={9}>No calls in this range.</td>
          </tr>
        ) : (
          report.data.map((g) => (
            <tr key={g.key ?? "(none)"}>
              <th scope="row">{g.key ?? "(none)"}</th>
              <td>{count(g.requests)}</td>
              <td>{count(g.errors)}</td>
              <td>{count(g.cache_hits)}</td>
              <td>{count(g.input_tokens)}</td>
              <td>{count(g.output_tokens)}</td>
              <td>{count(g.cached_tokens)}</td>
              <td>{usd(g.cost_usd)}</td>
              <td>{ms(g.avg_latency_ms)}</td>
            </tr>
          ))
        )}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td>{count(t.requests)}</td>
          <td>{count(t.errors)}</td>
          <td>{count(t.cache_hits)}</td>
          <td>{count(t.input_tokens)}</td>
          <td>{count(t.output_tokens)}</td>
          <td>{count(t.cached_tokens)}</td>
          <td>{usd(t.cost_usd)}</td>
          <td>{ms(t.avg_latency_ms)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

const CSV_COLUMNS = [
  "requests",
  "errors",
  "cache_hits",
  "input_tokens",
  "output_tokens",
  "cached_tokens",
  "cost_usd",
  "avg_latency_ms",
] as const;

function downloadCsv(report: UsageReport) {
  const lines = [
    [report.group_by, ...CSV_COLUMNS].join(","),
    ...report.data.map((g) => [csvCell(g.key), ...CSV_COLUMNS.map((c) => csvCell(g[c]))].join(",")),
  ];
  const url = URL.createObjectURL(new Blob([`${lines.join("\r\n")}\r\n`], { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `usage-${report.group_by}-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
