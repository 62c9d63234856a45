import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '@saas/testing';

export const BENCHMARKS_MD = path.join(REPO_ROOT, 'docs', 'benchmarks.md');

/** The `## ` sections of a markdown document, by title, in order (the text before the first is ''). */
export function splitSections(markdown: string): Array<{ title: string; text: string }> {
  const out: Array<{ title: string; text: string }> = [];
  for (const part of markdown.split(/^(?=## )/m)) {
    const title = part.startsWith('## ') ? part.slice(3, part.indexOf('\n') === -1 ? undefined : part.indexOf('\n')).trim() : '';
    out.push({ title, text: part.endsWith('\n') ? part : `${part}\n` });
  }
  return out;
}

/**
 * Replaces one section of docs/benchmarks.md (or appends it), leaving the others as they are: each
 * benchmark writes its own section, so running one never erases another's figures.
 */
export async function writeSection(title: string, section: string, file = BENCHMARKS_MD): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const parts = splitSections(current);
  const text = section.endsWith('\n') ? `${section}\n` : `${section}\n\n`;
  const at = parts.findIndex((p) => p.title === title);
  if (at >= 0) parts[at] = { title, text };
  else parts.push({ title, text });
  await writeFile(file, parts.map((p) => p.text).join('').replace(/\n{3,}/g, '\n\n'));
}

/** Sections of `file` whose titles `generated` does not have, appended to it (a full report keeps the other benchmarks' figures). */
export async function keepOtherSections(generated: string, file = BENCHMARKS_MD): Promise<string> {
  const current = await readFile(file, 'utf8').catch(() => '');
  const titles = new Set(splitSections(generated).map((p) => p.title));
  const others = splitSections(current).filter((p) => p.title && !titles.has(p.title));
  return [generated.endsWith('\n') ? generated : `${generated}\n`, ...others.map((p) => p.text)].join('\n').replace(/\n{3,}/g, '\n\n');
}
