const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `90d`, `12h`, `30m`, `45s`, `2w` or plain seconds, as seconds; throws on anything else. */
export function parseDuration(text: string): number {
  const m = /^(\d+)([smhdw]?)$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * (UNITS[m[2] || 's'] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new Error(`"${text}" is not a duration (e.g. 90d, 12h, 30m, 3600)`);
  }
  return seconds;
}
