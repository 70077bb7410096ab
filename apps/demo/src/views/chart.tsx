/** One line on a chart: a label and points (x = epoch ms, y = value). */
export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
}

const W = 640;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

/**
 * A server-rendered SVG line chart (no scripts). Rates are drawn on 0..max(1, …); x is time.
 */
export function LineChart(props: {
  readonly title: string;
  readonly series: readonly Series[];
  readonly yMax?: number;
  readonly formatY?: (y: number) => string;
}) {
  const all = props.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  const yMax = props.yMax ?? Math.max(1, ...ys);
  const fy = props.formatY ?? ((y: number) => String(Math.round(y * 100) / 100));
  const sx = (x: number) =>
    PAD.left +
    (x1 === x0
      ? (W - PAD.left - PAD.right) / 2
      : ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right));
  const sy = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const day = (x: number) => new Date(x).toISOString().slice(5, 16).replace('T', ' ');
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title}>
        <title>{props.title}</title>
        <line
          class="axis"
          x1={PAD.left}
          y1={H - PAD.bottom}
          x2={W - PAD.right}
          y2={H - PAD.bottom}
        />
        <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} />
        {[0, 0.5, 1].map((f) => (
          <text x={4} y={sy(f * yMax) + 4}>
            {fy(f * yMax)}
          </text>
        ))}
        {xs.length ? (
          <>
            <text x={PAD.left} y={H - 8}>
              {day(x0)}
            </text>
            <text x={W - PAD.right - 70} y={H - 8}>
              {day(x1)}
            </text>
          </>
        ) : (
          <text x={W / 2 - 60} y={H / 2}>
            no data yet
          </text>
        )}
        {props.series.map((s, i) =>
          s.points.length === 1 ? (
            <circle
              class={`s${i % 4}`}
              cx={sx(s.points[0]?.[0] ?? 0)}
              cy={sy(s.points[0]?.[1] ?? 0)}
              r={3}
            />
          ) : (
            <polyline
              class={`s${i % 4}`}
              points={s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}
            />
          ),
        )}
      </svg>
      <figcaption class="legend small">
        {props.title}:{' '}
        {props.series.map((s, i) => (
          <span class={`l${i % 4}`}>{s.label} </span>
        ))}
      </figcaption>
    </figure>
  );
}
