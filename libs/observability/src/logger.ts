import type { LoggerService } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { workContext } from './context.js';

/** Never logged, wherever they appear (STYLE: no secrets in logs). */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'new_password',
  '*.new_password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'secret',
  '*.secret',
  'api_key',
  '*.api_key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'admin_password',
  '*.admin_password',
];

export function createLogger(service: string, level = 'info', options: LoggerOptions = {}): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    formatters: { level: (label) => ({ level: label }) },
    // Every line carries the trace and correlation ids of the work it belongs to.
    mixin() {
      const out: Record<string, string> = {};
      const span = trace.getActiveSpan()?.spanContext();
      if (span && span.traceId !== '00000000000000000000000000000000') {
        out.trace_id = span.traceId;
        out.span_id = span.spanId;
      }
      const correlationId = workContext.correlationId();
      if (correlationId) out.correlation_id = correlationId;
      return out;
    },
    ...options,
  });
}

/** Nest's per-module and per-route boot lines: useful when debugging, noise at info. */
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/** Adapts pino to Nest's LoggerService so framework messages come out as the same JSON lines. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write(context && BOOT_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.write('error', message, context, trace);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string, stack?: string): void {
    const bindings: Record<string, unknown> = {};
    if (context) bindings.context = context;
    if (stack) bindings.stack = stack;
    if (message instanceof Error) this.logger[level]({ ...bindings, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...bindings, ...message });
    else this.logger[level](bindings, String(message));
  }
}
