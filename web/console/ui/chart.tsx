import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: (number | null)[];
}

interface ChartProps {
  title: string;
  /** Unix seconds, one per point. */
  times: number[];
  series: Series[];
  /** Formats an axis value (USD, tokens, ms). */
  format?: (v: number) => string;
  height?: number;
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

/** A time-series chart (uPlot); the numbers are also in the table beside it, for screen readers. */
export function Chart({ title, times, series, format, height = 220 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        title,
        width: Math.max(320, el.clientWidth),
        height,
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: COLORS[i % COLORS.length],
            width: 2,
            points: { show: true },
          })),
        ],
        // Counts and money start at zero; an all-zero series gets a small range, not uPlot's 0–100.
        scales: { y: { range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          {},
          {
            size: 80,
            values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (format ? format(t) : String(t))),
          },
        ],
      },
      [times, ...series.map((s) => s.values)],
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(320, el.clientWidth), height });
    addEventListener("resize", resize);
    return () => {
      removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [title, times, series, format, height]);
  return <div class="chart" ref={box} role="img" aria-label={title} />;
}
