import http from 'node:http';
import https from 'node:https';
import { isIP, Socket } from 'node:net';
import { RefusedAddressError, refusedCategory } from './address-policy.js';
import { guardedLookup } from './guarded-lookup.js';

export interface GuardedAgentOptions {
  /** TCP (and TLS) connect deadline: Node's agents have none of their own. */
  connectTimeoutMs: number;
  /** Development and tests only: connect to loopback/private/link-local addresses too (WEBHOOKS_ALLOW_PRIVATE_NETWORKS). */
  allowPrivateNetworks: boolean;
  keepAlive?: boolean;
  maxSockets?: number;
}

/** An http and an https agent for requests to addresses outsiders chose (webhook endpoints, providers' APIs). */
export interface GuardedAgents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  destroy(): void;
}

type CreateConnection = (options: Record<string, unknown>, cb?: (err: Error | null, socket: Socket) => void) => Socket;

/**
 * Adds to an agent what Node's agents lack: a connect deadline, and the SSRF check of literal IP
 * hosts (a name goes through `guardedLookup`; an IP literal skips lookup, so it is checked here).
 * A refused address gets a socket that fails at once and never connects: not even a TCP handshake
 * reaches it.
 */
function guardAgent<A extends http.Agent>(agent: A, connectTimeoutMs: number, checkAddresses: boolean): A {
  const original = (agent as unknown as { createConnection: CreateConnection }).createConnection.bind(agent);
  (agent as unknown as { createConnection: CreateConnection }).createConnection = (options, cb) => {
    const host = String(options.host ?? '').replace(/^\[|\]$/g, '');
    const category = checkAddresses && isIP(host) ? refusedCategory(host) : null;
    if (category) {
      const refused = new Socket();
      process.nextTick(() => refused.destroy(new RefusedAddressError(host, host, category)));
      return refused;
    }
    const socket = original(options, cb);
    if (socket.connecting) {
      const timer = setTimeout(() => socket.destroy(new Error(`connect timeout after ${connectTimeoutMs} ms`)), connectTimeoutMs);
      const clear = () => clearTimeout(timer);
      socket.once('connect', clear);
      socket.once('close', clear);
    }
    return socket;
  };
  return agent;
}

/**
 * The one way this service opens connections to addresses it was given: every name is resolved
 * and checked at connect time (DNS rebinding fails), literal IPs are checked before any socket
 * connects, and connects have a deadline. Webhook deliveries and providers' health probes use it.
 */
export function createGuardedAgents(options: GuardedAgentOptions): GuardedAgents {
  const check = !options.allowPrivateNetworks;
  const agentOptions = {
    keepAlive: options.keepAlive ?? false,
    ...(options.keepAlive ? { maxSockets: options.maxSockets ?? 16, maxFreeSockets: 4, scheduling: 'lifo' as const } : {}),
    ...(check ? { lookup: guardedLookup as never } : {}),
  };
  const httpAgent = guardAgent(new http.Agent(agentOptions), options.connectTimeoutMs, check);
  const httpsAgent = guardAgent(new https.Agent(agentOptions), options.connectTimeoutMs, check);
  return {
    httpAgent,
    httpsAgent,
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** A failed request in one line; a refused address says so (and why) whatever wrapped it. */
export function describeRequestError(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: unknown };
  const cause = e?.cause as { message?: string } | undefined;
  if (err instanceof RefusedAddressError || cause instanceof RefusedAddressError) return ((cause as Error | undefined) ?? (err as Error)).message;
  const message = e?.message ?? String(err);
  return (e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message).slice(0, 500);
}
