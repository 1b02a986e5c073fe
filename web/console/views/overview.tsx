import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { count, isoDay, ms, usd } from "../format";
import type { UsageReport } from "../types";
import { denseBuckets, valuesOf } from "../ui/buckets";
import { Chart } from "../ui/chart";
import { ErrorNote } from "../ui/error-note";
import { Field } from "../ui/field";
import type { ViewProps } from ".";

interface VendorStats {
  vendor: string | null;
  requests: number;
  errors: number;
  error_rate: number;
  cache_hits: number;
  latency_samples: number;
  latency_p50_ms: number | null;
  latency_p90_ms: number | null;
  latency_p99_ms: number | null;
  ttft_p50_ms: number | null;
}

const RANGES = {
  hour: { label: "Last 48 hours, by hour", spanMs: 48 * 3_600_000 },
  day: { label: "Last 30 days, by day", spanMs: 30 * 86_400_000 },
} as const;

/** Admins: traffic, errors, cache hits, spend and tokens over time, and each vendor's latency. */
export function OverviewView({ session }: ViewProps) {
  const [by, setBy] = useState<keyof typeof RANGES>("day");
  const [windowMinutes, setWindowMinutes] = useState(60);
  const [report, setReport] = useState<UsageReport | null>(null);
  const [stats, setStats] = useState<VendorStats[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const now = Date.now();
    // Whole hours or days, so the last bucket is the current one.
    const to =
      by === "day"
        ? isoDay(new Date(now + 86_400_000))
        : new Date(Math.ceil(now / 3_600_000) * 3_600_000).toISOString();
    const from = new Date(Date.parse(to) - RANGES[by].spanMs).toISOString();
    api<UsageReport>(session, "/v1/admin/usage", { query: { from, to, group_by: by } })
      .then(setReport)
      .catch(setError);
  }, [session, by]);
  useEffect(() => {
    api<{ data: VendorStats[] }>(session, "/v1/admin/stats", { query: { window_minutes: windowMinutes } })
      .then((s) => setStats(s.data))
      .catch(setError);
  }, [session, windowMinutes]);

  const series = useMemo(() => {
    if (!report) return null;
    const { times, rows } = denseBuckets(report, report.group_by as "day" | "hour");
    return {
      times,
      traffic: [
        { label: "Requests", values: valuesOf(rows, (g) => g.requests) },
        { label: "Errors", values: valuesOf(rows, (g) => g.errors) },
        { label: "Cache hits", values: valuesOf(rows, (g) => g.cache_hits) },
      ],
      spend: [{ label: "Spend (USD)", values: valuesOf(rows, (g) => g.cost_usd) }],
      tokens: [
        { label: "Input tokens", values: valuesOf(rows, (g) => g.input_tokens) },
        { label: "Output tokens", values: valuesOf(rows, (g) => g.output_tokens) },
      ],
    };
  }, [report]);

  return (
    <section>
      <ErrorNote error={error} />
      <div class="row">
        <Field label="Charts">
          {(id) => (
            <select id={id} value={by} onChange={(e) => setBy(e.currentTarget.value as keyof typeof RANGES)}>
              {Object.entries(RANGES).map(([k, r]) => (
                <option key={k} value={k}>
                  {r.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {report ? (
        <p class="meta" data-testid="totals">
          {count(report.totals.requests)} requests, {count(report.totals.errors)} errors,{" "}
          {count(report.totals.cache_hits)} cache hits, {usd(report.totals.cost_usd)} spent,{" "}
          {count(report.totals.input_tokens + report.totals.output_tokens)} tokens
        </p>
      ) : null}
      {series && report && report.totals.requests > 0 ? (
        <div class="charts" data-group-by={report.group_by}>
          <Chart title="Requests, errors and cache hits" times={series.times} series={series.traffic} />
          <Chart title="Spend" times={series.times} series={series.spend} format={usd} />
          <Chart title="Tokens" times={series.times} series={series.tokens} format={count} />
        </div>
      ) : report ? (
        <p>No calls in this range yet.</p>
      ) : null}
      <h2>Vendors</h2>
      <div class="row">
        <Field label="Over the last">
          {(id) => (
            <select
              id={id}
              value={String(windowMinutes)}
              onChange={(e) => setWindowMinutes(Number(e.currentTarget.value))}
            >
              <option value="15">15 minutes</option>
              <option value="60">hour</option>
              <option value="1440">24 hours</option>
            </select>
          )}
        </Field>
      </div>
      {stats ? <StatsTable stats={stats} /> : null}
    </section>
  );
}

function StatsTable({ stats }: { stats: VendorStats[] }) {
  return (
    <table>
      <caption>Latency is to the complete answer; time to first token is for streams</caption>
      <thead>
        <tr>
          <th scope="col">Vendor</th>
          <th scope="col">Requests</th>
          <th scope="col">Errors</th>
          <th scope="col">Cache hits</th>
          <th scope="col">p50</th>
          <th scope="col">p90</th>
          <th scope="col">p99</th>
          <th scope="col">TTFT p50</th>
        </tr>
      </thead>
      <tbody>
        {stats.length === 0 ? (
          <tr>
            <td colSpan={8}>No calls in this window.</td>
          </tr>
        ) : (
          stats.map((s) => (
            <tr key={s.vendor ?? "(none)"}>
              <th scope="row">{s.vendor ?? "(before a vendor was chosen)"}</th>
              <td>{count(s.requests)}</td>
              <td>
                {count(s.errors)} ({(100 * s.error_rate).toFixed(1)}%)
              </td>
              <td>{count(s.cache_hits)}</td>
              <td>{ms(s.latency_p50_ms)}</td>
              <td>{ms(s.latency_p90_ms)}</td>
              <td>{ms(s.latency_p99_ms)}</td>
              <td>{ms(s.ttft_p50_ms)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
