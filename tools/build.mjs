#!/usr/bin/env node
// Compiles every TypeScript source of the workspace to ESM JavaScript under dist/ with SWC.
// SWC (not tsc) because it is ~50x faster and keeps decorator metadata, which NestJS's DI needs;
// type-checking is a separate step (`npm run typecheck`). `@saas/<lib>` imports are rewritten to
// relative paths so the output runs on plain Node with no loader or path-mapping hook.
import { transformFile } from '@swc/core';
import { mkdir, readdir, stat, writeFile, copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = path.join(root, 'dist');
const sourceDirs = ['apps', 'libs', 'tools', 'bench'];
const skipDirs = new Set(['node_modules', 'dist', '.nx', 'coverage']);
const isTest = (f) => /\.(spec|int-spec|e2e-spec)\.ts$/.test(f);
const assetExt = new Set(['.json', '.html', '.yaml', '.yml', '.sql', '.txt', '.mjs', '.js']);

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: true,
  swcrc: false,
};

async function* walk(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (skipDirs.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

function rewriteAliases(code, outFile) {
  return code.replace(/(from\s+|import\s*\(\s*|import\s+)(['"])@saas\/([a-z0-9-]+)\2/g, (_m, pre, q, lib) => {
    const target = path.join(outRoot, 'libs', lib, 'src', 'index.js');
    let rel = path.relative(path.dirname(outFile), target).split(path.sep).join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${pre}${q}${rel}${q}`;
  });
}

async function newer(src, out) {
  try {
    const [s, o] = await Promise.all([stat(src), stat(out)]);
    return s.mtimeMs > o.mtimeMs;
  } catch {
    return true;
  }
}

async function build({ clean = false } = {}) {
  if (clean) await rm(outRoot, { recursive: true, force: true });
  const started = Date.now();
  const jobs = [];
  let compiled = 0;
  for (const dir of sourceDirs) {
    for await (const file of walk(path.join(root, dir))) {
      const rel = path.relative(root, file);
      const ext = path.extname(file);
      if (file.endsWith('.d.ts')) continue;
      if (ext === '.ts' && !isTest(file)) {
        const out = path.join(outRoot, rel.replace(/\.ts$/, '.js'));
        if (!(await newer(file, out))) continue;
        compiled++;
        jobs.push(
          transformFile(file, { ...swcOptions, filename: file, sourceFileName: path.relative(path.dirname(out), file) }).then(
            async ({ code, map }) => {
              await mkdir(path.dirname(out), { recursive: true });
              await writeFile(out, `${rewriteAliases(code, out)}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
              if (map) await writeFile(`${out}.map`, map);
            },
          ),
        );
      } else if (assetExt.has(ext) && !rel.startsWith('tools/build.mjs')) {
        const out = path.join(outRoot, rel);
        if (!(await newer(file, out))) continue;
        jobs.push(mkdir(path.dirname(out), { recursive: true }).then(() => copyFile(file, out)));
      }
    }
  }
  await Promise.all(jobs);
  await writeFile(path.join(outRoot, 'package.json'), JSON.stringify({ type: 'module' }));
  if (compiled > 0 && !process.env.BUILD_QUIET) {
    process.stderr.write(`build: ${compiled} file(s) compiled in ${Date.now() - started} ms\n`);
  }
}

await build({ clean: process.argv.includes('--clean') });
