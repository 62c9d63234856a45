import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { EventTypes } from './subjects.js';
import { IdentityEventTypes } from './identity.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SOURCE_DIRS = ['apps', 'libs', 'tools'];
const TEST_FILE = /\.(spec|int-spec|e2e-spec|faults-spec|fuzz-spec)\.ts$/;

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'test'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !TEST_FILE.test(entry.name)) yield full;
  }
}

/** String literals of a file, comments left out (good enough for our own sources). */
function literals(code: string): string[] {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  return [...stripped.matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`]*)`/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

/**
 * Issue 8: every subject is a constant of libs/contracts. A subject or event type written as a
 * string anywhere else is a sixth place where the contract can drift, so this spec fails on one.
 */
describe('subject literals', () => {
  it('appear nowhere outside libs/contracts (RPC subjects, event subjects, event types)', () => {
    const eventTypes = new Set<string>([...Object.values(EventTypes), ...Object.values(IdentityEventTypes)]);
    const found: string[] = [];
    for (const dir of SOURCE_DIRS) {
      for (const file of sources(path.join(ROOT, dir))) {
        const rel = path.relative(ROOT, file);
        if (rel.startsWith(path.join('libs', 'contracts'))) continue;
        for (const lit of literals(readFileSync(file, 'utf8'))) {
          if (/^(rpc|events)\.[a-z_-]+\.[a-z]/.test(lit) || eventTypes.has(lit)) found.push(`${rel}: '${lit}'`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
