/** API keys look like `sk_<8 lower-case alphanumerics>_<43-character base64url secret>`. */
export const API_KEY_PATTERN = /^sk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export function parseApiKey(key: string): { prefix: string; secret: string } | null {
  const m = API_KEY_PATTERN.exec(key);
  return m ? { prefix: m[1]!, secret: m[2]! } : null;
}

/** Whether a bearer credential is an API key rather than a JWT (for the gateway's auth guard). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith('sk_');
}
