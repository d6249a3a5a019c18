/**
 * The `audit_source_events_total` counter of `outcome` (accepted, duplicate, rejected, ...) in a
 * /metrics text, for the first source listed; NaN when the text has no such line.
 */
export function sourceOutcome(metricsText: string, outcome: string): number {
  return Number(
    new RegExp(`audit_source_events_total\\{source="[^"]+",outcome="${outcome}"\\} (\\d+)`).exec(
      metricsText,
    )?.[1] ?? NaN,
  );
}

/** Every `audit_source_events_total` counter of `source` in a /metrics text, by outcome. */
export function sourceOutcomes(metricsText: string, source: string): Record<string, number> {
  const out: Record<string, number> = {};
  const line = new RegExp(
    `^audit_source_events_total\\{source="${source}",outcome="(\\w+)"\\} (\\d+)$`,
    'gm',
  );
  for (const m of metricsText.matchAll(line)) out[m[1]] = Number(m[2]);
  return out;
}
