// Reads the Prometheus text format (version 0.0.4) that GET /metrics answers
// into samples, and sums them the way the health page shows them.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (!Number.isNaN(value)) out.push({ name: m[1], labels, value });
  }
  return out;
}

export function sum(samples: Sample[], name: string, where: Record<string, string> = {}): number | null {
  const hits = samples.filter(s => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
  return hits.length ? hits.reduce((a, s) => a + s.value, 0) : null;
}

// Totals of one label over a metric, largest first.
export function byLabel(samples: Sample[], name: string, label: string): [string, number][] {
  const totals = new Map<string, number>();
  for (const s of samples) if (s.name === name && s.labels[label] !== undefined) totals.set(s.labels[label], (totals.get(s.labels[label]) ?? 0) + s.value);
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

// A quantile from the cumulative buckets of a histogram summed over all its
// series (linear inside the bucket, as Prometheus' histogram_quantile does).
export function histogramQuantile(samples: Sample[], name: string, q: number): number | null {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || s.labels.le === undefined) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.length ? sorted[sorted.length - 1][1] : 0;
  if (!total) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * (count === prevCount ? 0 : (rank - prevCount) / (count - prevCount));
    }
    prevLe = le;
    prevCount = count;
  }
  return null;
}
