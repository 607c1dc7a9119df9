// Reading a /metrics page in tests with a real Prometheus text-format parser (parse-prometheus-text-format).
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';

export interface Scrape {
  families: PromFamily[];
  /** The value of one series: the family's sample whose labels include `labels` (0 when absent). */
  value(name: string, labels?: Record<string, string>): number;
  /** The sum over every series of a family whose labels include `labels`. */
  sum(name: string, labels?: Record<string, string>): number;
  family(name: string): PromFamily | undefined;
}

const matches = (have: Record<string, string> | undefined, want: Record<string, string>): boolean =>
  Object.entries(want).every(([k, v]) => have?.[k] === v);

export function parseScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const family = (name: string): PromFamily | undefined => families.find((f) => f.name === name);
  const samples = (name: string, labels: Record<string, string>) => (family(name)?.metrics ?? []).filter((m) => matches(m.labels, labels));
  return {
    families,
    family,
    value: (name, labels = {}) => Number(samples(name, labels)[0]?.value ?? 0),
    sum: (name, labels = {}) => samples(name, labels).reduce((a, m) => a + Number(m.value ?? 0), 0),
  };
}

export async function scrape(address: string): Promise<{ text: string; parsed: Scrape; contentType: string }> {
  const res = await fetch(`http://${address}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
  const text = await res.text();
  return { text, parsed: parseScrape(text), contentType: res.headers.get('content-type') ?? '' };
}

export async function stats(address: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://${address}/stats`);
  if (res.status !== 200) throw new Error(`GET /stats: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}
