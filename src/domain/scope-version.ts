/** The scope version a change order moves to: v1 → v2, 1.4 → 1.5, "Phase A" → "Phase A (2)". */
export function nextScopeVersion(current: string): string {
  const trimmed = current.trim();
  const match = /^(.*?)(\d+)$/.exec(trimmed);
  if (match) return `${match[1] ?? ''}${Number(match[2]) + 1}`;
  return trimmed === '' ? 'v2' : `${trimmed} (2)`;
}
