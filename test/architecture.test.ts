/**
 * STYLE.md "Layout": imports point down only — engine ← store ← ingest / server / cli.
 * This scans every source file's imports and fails on an upward or sideways edge.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** What each top-level area may import besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  'errors.ts': [],
  'config.ts': ['errors.ts'],
  engine: ['errors.ts'],
  store: ['engine', 'errors.ts', 'config.ts'],
  ingest: ['store', 'engine', 'errors.ts', 'config.ts'],
  server: ['store', 'engine', 'ingest', 'errors.ts', 'config.ts'],
  cli: ['server', 'store', 'engine', 'ingest', 'errors.ts', 'config.ts'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

function areaOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0];
}

const NODE_IO = /^(node:)?(fs|fs\/promises|net|http|https|child_process|worker_threads|dgram)$/;

describe('architecture', () => {
  const files = sourceFiles(SRC);

  test('every source file sits in a known area', () => {
    const unknown = files.map(areaOf).filter((a) => !(a in ALLOWED));
    expect(unknown).toEqual([]);
  });

  test('imports point down only (engine ← store ← ingest / server / cli)', () => {
    const bad: string[] = [];
    for (const file of files) {
      const from = areaOf(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
        const target = path.resolve(path.dirname(file), m[1]);
        const to = areaOf(target.replace(/\.js$/, '.ts'));
        if (to !== from && !ALLOWED[from]?.includes(to)) {
          bad.push(`${path.relative(SRC, file)} → ${m[1]}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  test('the engine does no I/O and reads no environment', () => {
    const bad: string[] = [];
    for (const file of files.filter((f) => areaOf(f) === 'engine')) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from\s+'([^']+)'/g)) {
        if (NODE_IO.test(m[1])) bad.push(`${path.relative(SRC, file)} imports ${m[1]}`);
      }
      if (/process\.env/.test(text)) bad.push(`${path.relative(SRC, file)} reads process.env`);
    }
    expect(bad).toEqual([]);
  });

  test('only the store writes SQL', () => {
    const bad = files
      .filter((f) => areaOf(f) !== 'store' && !f.endsWith('.test.ts'))
      .filter((f) =>
        /\b(SELECT\s+[\w*]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/.test(
          readFileSync(f, 'utf8'),
        ),
      )
      .map((f) => path.relative(SRC, f));
    expect(bad).toEqual([]);
  });
});
