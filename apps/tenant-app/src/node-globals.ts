/**
 * Imported first by main.ts. `pg` checks whether it runs on Cloudflare Workers when it loads: with no
 * `navigator` global (Node 20 has none; Node ≥ 21 does) it constructs a `Response`, which loads
 * Node's bundled undici — about a fifth of this app's start-up CPU, for an HTTP client it never uses.
 * Node 21's own `navigator.userAgent` answers the check instead; on Node 20 we provide the same.
 * Start-up CPU matters here: the local runtime starts one of these per tenant, often many at once.
 */
const g = globalThis as { navigator?: { userAgent: string } };
if (g.navigator === undefined) {
  Object.defineProperty(globalThis, 'navigator', {
    value: Object.freeze({ userAgent: `Node.js/${process.versions.node.split('.')[0]}` }),
    configurable: true,
    enumerable: false,
    writable: false,
  });
}

export {};
