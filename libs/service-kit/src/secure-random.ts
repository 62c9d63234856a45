import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** Cryptographic randomness (tokens, key ids), behind a seam so tests can make it predictable. */
export abstract class SecureRandom {
  abstract bytes(length: number): Buffer;

  /** `length` random bytes as base64url (no padding). */
  token(length = 32): string {
    return this.bytes(length).toString('base64url');
  }

  /** Lower-case alphanumerics (36 symbols; rejection sampling keeps them uniform). */
  alphanumeric(length: number): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    while (out.length < length) {
      for (const b of this.bytes(length * 2)) {
        if (b < 252 && out.length < length) out += alphabet[b % 36];
      }
    }
    return out;
  }
}

@Injectable()
export class NodeSecureRandom extends SecureRandom {
  bytes(length: number): Buffer {
    return randomBytes(length);
  }
}
