/** Injection tokens of what createGateway() builds before Nest starts. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const GATEWAY_LOGGER = Symbol('GATEWAY_LOGGER');
export const GATEWAY_INFO = Symbol('GATEWAY_INFO');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const PG_POOL = Symbol('PG_POOL');

/** Who this gateway process is, for /health and /health/detailed. */
export interface GatewayInfo {
  version: string;
  instance: string;
  startedAt: number;
}
