import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The config schemas of the platform: every service's, the shared base, the provisioning runtimes'. */
function schemaFiles(): string[] {
  const apps = readdirSync(path.join(ROOT, 'apps')).map((app) => path.join(ROOT, 'apps', app, 'src', 'config.ts'));
  return [...apps, path.join(ROOT, 'libs/config/src/config.ts'), path.join(ROOT, 'apps/provisioning/src/runtime/runtime.config.ts')].filter((f) => existsSync(f));
}

describe('the README configuration table', () => {
  it('names every variable a service reads', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const keys = new Set(schemaFiles().flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]{2,}):\s/gm)].map((m) => m[1]!)));
    expect(keys.size).toBeGreaterThan(100);
    expect([...keys].filter((key) => !table.includes(`\`${key}\``)).sort()).toEqual([]);
  });
});
