import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly number[];
  readonly color: string;
  readonly format?: (value: number) => string;
}

/**
 * A time-series line chart drawn by uPlot on a canvas; `times` are epoch seconds. The same numbers
 * are in a table for screen readers and keyboard users (the canvas is decorative to them).
 */
export function TimeChart({
  title,
  times,
  series,
}: {
  title: string;
  times: readonly number[];
  series: readonly ChartSeries[];
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const width = () => Math.max(240, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        series: [
          {},
          ...series.map((item) => ({
            label: item.label,
            stroke: item.color,
            width: 2,
            points: { show: true, size: 5 },
            value: (_plot: uPlot, value: number | null) =>
              value === null ? '—' : (item.format ?? String)(value),
          })),
        ],
        axes: [{}, { size: 60, values: (_plot, ticks) => ticks.map((t) => compact(t)) }],
        scales: { x: { time: true } },
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
      },
      [times as number[], ...series.map((item) => item.values as number[])],
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [times, series]);

  return (
    <figure class="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div class="chart-canvas" ref={host} aria-hidden="true" data-points={times.length} />
      <details>
        <summary>{title}: data table</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                {series.map((item) => (
                  <th scope="col" class="num" key={item.label}>
                    {item.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {times.map((time, index) => (
                <tr key={time}>
                  <td>{new Date(time * 1000).toISOString().slice(0, 16).replace('T', ' ')}</td>
                  {series.map((item) => (
                    <td class="num" key={item.label}>
                      {(item.format ?? String)(item.values[index] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

function compact(value: number): string {
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (Math.abs(value) >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return Number.isInteger(value) ? String(value) : value.toPrecision(2);
}
