/** A small bar chart drawn as SVG (no chart library, no inline style: colours come from CSS). */
export function BarChart({ data, label, unit }: { data: { label: string; value: number }[]; label: string; unit: string }) {
  const width = 600;
  const height = 120;
  const pad = 18;
  const max = Math.max(1, ...data.map((d) => d.value));
  const bar = data.length ? (width - pad) / data.length : 0;
  const total = data.reduce((n, d) => n + d.value, 0);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: ${total} ${unit} over ${data.length} bars, peak ${max}`} preserveAspectRatio="none">
        <line x1={pad} y1={height - pad} x2={width} y2={height - pad} className="axis" />
        <text x={0} y={10} className="tick">
          {max}
        </text>
        <text x={0} y={height - pad} className="tick">
          0
        </text>
        {data.map((d, i) => {
          const h = ((height - 2 * pad) * d.value) / max;
          return (
            <rect key={d.label} x={pad + i * bar + 0.5} y={height - pad - h} width={Math.max(1, bar - 1)} height={h} className="bar">
              <title>{`${d.label}: ${d.value} ${unit}`}</title>
            </rect>
          );
        })}
        {data.length ? (
          <>
            <text x={pad} y={height - 4} className="tick">
              {data[0]!.label}
            </text>
            <text x={width} y={height - 4} className="tick end">
              {data[data.length - 1]!.label}
            </text>
          </>
        ) : null}
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}
