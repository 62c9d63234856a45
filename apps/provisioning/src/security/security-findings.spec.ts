import { describe, expect, it } from '@jest/globals';
import { isPinnedImage } from './security-findings.controller.js';

describe('tenant image pinning', () => {
  it('takes digests and full versions as pinned, moving tags as not', () => {
    expect(['odoo:17', 'odoo', 'odoo:latest', 'registry.example.com:5000/odoo', 'ghcr.io/acme/app:main'].map(isPinnedImage)).toEqual([false, false, false, false, false]);
    expect(['odoo:17.0.20241120', 'registry.example.com:5000/odoo:17.0', 'app@sha256:' + 'a'.repeat(64), 'ghcr.io/acme/app:v2.3.1'].map(isPinnedImage)).toEqual([true, true, true, true]);
  });
});
