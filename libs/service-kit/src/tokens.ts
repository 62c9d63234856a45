/** Injection tokens of what the service kit provides to every service's modules. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
