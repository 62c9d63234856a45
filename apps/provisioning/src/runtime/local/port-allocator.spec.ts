import { createServer } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { allocatePort, isPortFree, parsePortRange } from './port-allocator.js';
import { splitCommand } from './tenant-process.js';

describe('port allocation', () => {
  it('keeps the preferred port when free, skips taken and excluded ones', async () => {
    const range = { first: 29900, last: 29903 };
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(29901, '127.0.0.1', r));
    try {
      expect(await isPortFree(29901, '127.0.0.1')).toBe(false);
      expect(await allocatePort(range, '127.0.0.1', { preferred: 29902 })).toBe(29902);
      const got = await allocatePort(range, '127.0.0.1', { preferred: 29901, exclude: new Set([29900, 29902]) });
      expect(got).toBe(29903);
      await expect(allocatePort({ first: 29901, last: 29901 }, '127.0.0.1')).rejects.toThrow(/no free port/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('parses ranges', () => {
    expect(parsePortRange('20000-29999')).toEqual({ first: 20000, last: 29999 });
    expect(() => parsePortRange('3-1')).toThrow();
  });
});

describe('splitCommand', () => {
  it('splits on whitespace; whole quoted arguments keep their spaces', () => {
    expect(splitCommand(`node  "/opt/my app/main.js" 'a b' --flag`)).toEqual(['node', '/opt/my app/main.js', 'a b', '--flag']);
    expect(() => splitCommand('   ')).toThrow(/empty command/);
  });
});
