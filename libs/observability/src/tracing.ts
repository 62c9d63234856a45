import { context, propagation, trace, SpanKind, SpanStatusCode, type Span, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

let provider: NodeTracerProvider | undefined;

export interface TracingOptions {
  service: string;
  namespace?: string;
  version?: string;
  /** OTLP/HTTP endpoint (e.g. http://collector:4318); spans are only exported when it is set. */
  otlpEndpoint?: string;
  /** Share of new traces recorded when exporting (0..1, default 1); a caller's decision is followed. */
  sampleRatio?: number;
}

/**
 * Starts tracing for this process. Trace ids exist and propagate (HTTP → NATS → services → Postgres)
 * even without an exporter, so logs can always be joined by trace id.
 *
 * Without an exporter nothing is recorded (issue 9): every span is a non-recording one that still
 * carries a fresh or inherited trace id, so it costs next to nothing on the request path. With one,
 * new traces are sampled at `sampleRatio` and a caller's sampling decision is followed.
 */
export function initTracing(options: TracingOptions): void {
  if (provider) return;
  const spanProcessors: SpanProcessor[] = [];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const sampler: Sampler = options.otlpEndpoint
    ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) })
    : new AlwaysOffSampler();
  provider = new NodeTracerProvider({
    sampler,
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.service,
      [ATTR_SERVICE_VERSION]: options.version ?? '0.0.0',
      'service.namespace': options.namespace ?? 'saas-control-plane',
    }),
    spanProcessors,
  });
  provider.register({
    contextManager: new AsyncLocalStorageContextManager(),
    propagator: new W3CTraceContextPropagator(),
  });
  registerInstrumentations({
    tracerProvider: provider,
    // Query spans only matter when recorded: unexported, the instrumentation would wrap every query
    // (a span, a context bound to each callback) for nothing — a few percent of a service's CPU per
    // request (issue 9). HTTP stays: it carries an inbound caller's trace context into ours.
    instrumentations: options.otlpEndpoint ? [new PgInstrumentation({ requireParentSpan: true }), new HttpInstrumentation()] : [new HttpInstrumentation()],
  });
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown().catch(() => undefined);
  provider = undefined;
  // The global registrations go too, so a later initTracing (tests) registers afresh.
  trace.disable();
  propagation.disable();
  context.disable();
}

export const tracer = () => trace.getTracer('saas-control-plane');

/** Writes the current trace context into a carrier (NATS or HTTP headers). */
export function injectTraceContext(set: (key: string, value: string) => void, ctx: Context = context.active()): void {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  for (const [k, v] of Object.entries(carrier)) set(k, v);
}

export function extractTraceContext(get: (key: string) => string | undefined): Context {
  const carrier: Record<string, string> = {};
  for (const key of ['traceparent', 'tracestate']) {
    const v = get(key);
    if (v) carrier[key] = v;
  }
  return propagation.extract(context.active(), carrier);
}

/** Runs `fn` in a span that is a child of `parent` (or the active context), recording failures. */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
