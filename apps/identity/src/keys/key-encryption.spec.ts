import { describe, expect, it } from '@jest/globals';
import { KeyEncryption } from './key-encryption.js';

describe('signing key encryption at rest', () => {
  const secret = 'a-test-secret-that-is-long-enough-0123456789';

  it('round-trips and never stores the plaintext', () => {
    const enc = new KeyEncryption(secret);
    const plaintext = Buffer.from('private key material');
    const stored = enc.encrypt(plaintext, 'kid-1');
    expect(Buffer.from(stored, 'base64url').includes(plaintext)).toBe(false);
    expect(enc.decrypt(stored, 'kid-1').toString()).toBe('private key material');
  });

  it('uses a fresh IV each time', () => {
    const enc = new KeyEncryption(secret);
    expect(enc.encrypt(Buffer.from('x'), 'k')).not.toBe(enc.encrypt(Buffer.from('x'), 'k'));
  });

  it('refuses another secret, another key id or a tampered ciphertext', () => {
    const stored = new KeyEncryption(secret).encrypt(Buffer.from('material'), 'kid-1');
    expect(() => new KeyEncryption(`${secret}!`).decrypt(stored, 'kid-1')).toThrow();
    expect(() => new KeyEncryption(secret).decrypt(stored, 'kid-2')).toThrow();
    const raw = Buffer.from(stored, 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() => new KeyEncryption(secret).decrypt(raw.toString('base64url'), 'kid-1')).toThrow();
  });
});
