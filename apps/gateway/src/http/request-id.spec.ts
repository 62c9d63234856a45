import { describe, expect, it } from '@jest/globals';
import { requestIdFor } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it.each(['abc', 'req-1.2:3_X', 'a'.repeat(128), '0f3c9a7e-2b1d-4c5e-9f8a-7b6c5d4e3f2a'])('accepts %s', (id) => {
    expect(requestIdFor(id)).toBe(id);
  });

  it.each([['empty', ''], ['too long', 'a'.repeat(129)], ['spaces', 'a b'], ['newline', 'a\nb'], ['slash', 'a/b'], ['duplicate header joined', 'a, b']])(
    'replaces a %s id with a UUID',
    (_why, id) => {
      expect(requestIdFor(id)).toMatch(UUID);
    },
  );

  it('generates a fresh UUID when there is none', () => {
    const a = requestIdFor(undefined);
    expect(a).toMatch(UUID);
    expect(requestIdFor(undefined)).not.toBe(a);
    expect(requestIdFor(['x', 'y'])).toMatch(UUID);
  });
});
