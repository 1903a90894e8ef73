/**
 * Deterministic hostile strings for the comment-escaping tests (unit and against the real
 * server): comment terminators, quotes, backslashes, control bytes, NUL, lone surrogates,
 * astral and right-to-left characters, mixed at random. Not part of the public API.
 */
const PIECES = [
  '*/', '/*', "'", "''", '"', '\\', '\\\'', ';', '--', '\n', '\r', '\t', '\0', '%', '%27', '$1', '$$',
  '\u2028', '\u202E', '😀', '\uD800', '\uDFFF', 'é', '中', ' ', '=', ',', '*', '/', 'DROP TABLE x', 'a', 'Z', '9',
];

/** `count` strings from a seeded generator (mulberry32), so a failure reproduces. */
export function hostileStrings(count: number, seed: number): string[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    let s = '';
    const length = 1 + Math.floor(next() * 12);
    for (let j = 0; j < length; j += 1) {
      s += next() < 0.8 ? PIECES[Math.floor(next() * PIECES.length)] : String.fromCharCode(Math.floor(next() * 0x10000));
    }
    out.push(s);
  }
  return out;
}
