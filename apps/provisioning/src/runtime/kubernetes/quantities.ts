/** Kubernetes resource quantities (the subset plans and metrics.k8s.io use). */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A quantity as a plain number of base units (cores, bytes). */
export function parseQuantity(value: string): number {
  const m = /^([+-]?\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(value.trim());
  if (!m) throw new Error(`invalid quantity "${value}"`);
  const [, num, suffix] = m as unknown as [string, string, string];
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  if (factor === undefined) throw new Error(`invalid quantity suffix in "${value}"`);
  return Number(num) * factor;
}

/** CPU in millicores, e.g. 2 × "250m" → "500m". */
export function scaleCpu(value: string, times: number): string {
  return `${Math.round(parseQuantity(value) * 1000 * times)}m`;
}

/** Memory/storage in Mi, e.g. 3 × "1Gi" → "3072Mi". */
export function scaleBytes(value: string, times: number): string {
  return `${Math.round((parseQuantity(value) * times) / 2 ** 20)}Mi`;
}
