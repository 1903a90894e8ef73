import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, formatErrorMessage } from './errors.js';
import type { ErrorCode } from './errors.js';

const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../docs/errors.md'), 'utf8');
const codes = Object.keys(ERROR_CODES) as ErrorCode[];

/** The table row of docs/errors.md that documents `code`, split into cells. */
function docRow(code: string): string[] | undefined {
  const line = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
  return line?.split('|').map((cell) => cell.trim()).slice(1, -1);
}

function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
}

const documentedPlaceholders = new Set(
  doc
    .slice(doc.indexOf('## Placeholders'))
    .split('\n')
    .flatMap((line) => [...line.matchAll(/^\| `\{(\w+)\}` \|/g)].map((match) => match[1] as string)),
);

describe('error code registry', () => {
  it('every code is STITCH_ERR_<AREA>_<WHAT> with an HTTP error status', () => {
    for (const code of codes) {
      expect(code).toMatch(/^STITCH_ERR_[A-Z]+_[A-Z_]+$/);
      expect(ERROR_CODES[code].status, code).toBeGreaterThanOrEqual(400);
      expect(ERROR_CODES[code].status, code).toBeLessThan(600);
    }
  });

  it('docs/errors.md documents every code with its status, a meaning and what to do', () => {
    const missing = codes.filter((code) => docRow(code) === undefined);
    expect(missing, 'add a row to docs/errors.md for each').toEqual([]);
    for (const code of codes) {
      const [, status, meaning, todo] = docRow(code) ?? [];
      expect(status, code).toBe(String(ERROR_CODES[code].status));
      expect(meaning?.length ?? 0, `${code}: meaning`).toBeGreaterThan(10);
      expect(todo?.length ?? 0, `${code}: what to do`).toBeGreaterThan(5);
    }
  });

  it('docs/errors.md lists no code the registry does not know', () => {
    const mentioned = new Set(doc.match(/STITCH_ERR_[A-Z_]*[A-Z]/g) ?? []);
    expect([...mentioned].filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it('message templates only use documented placeholders', () => {
    for (const code of codes) {
      for (const name of placeholders(ERROR_CODES[code].message)) {
        expect(documentedPlaceholders.has(name), `${code} uses {${name}}`).toBe(true);
      }
    }
  });

  it('formatErrorMessage() fills placeholders and leaves unknown ones visible', () => {
    expect(formatErrorMessage('STITCH_ERR_EDGE_NOT_FOUND', { method: 'GET', path: '/x' })).toBe('No route matches GET /x.');
    expect(formatErrorMessage('STITCH_ERR_EDGE_NOT_FOUND', { method: 'GET' })).toBe('No route matches GET {path}.');
  });
});
