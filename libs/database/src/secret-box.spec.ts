import { describe, expect, it } from '@jest/globals';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  it('round-trips and never stores the plaintext', () => {
    const box = new SecretBox(['a-long-enough-secret-key']);
    const sealed = box.seal('hunter2-admin-password');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed)).toBe('hunter2-admin-password');
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('opens secrets sealed with an older key after rotation', () => {
    const old = new SecretBox(['old-key-material-123']);
    const sealed = old.seal('s3cret');
    const rotated = new SecretBox(['new-key-material-456', 'old-key-material-123']);
    expect(rotated.open(sealed)).toBe('s3cret');
    expect(rotated.seal('y').split(':')[1]).not.toBe(sealed.split(':')[1]);
  });

  it('refuses tampered ciphertext and unknown keys', () => {
    const box = new SecretBox(['a-long-enough-secret-key']);
    const parts = box.seal('value').split(':');
    parts[4] = Buffer.from('other').toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow();
    expect(() => new SecretBox(['different-key-material']).open(box.seal('v'))).toThrow(/no key/);
  });
});
