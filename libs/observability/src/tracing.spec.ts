import { afterEach, describe, expect, it } from '@jest/globals';
import { initTracing, injectTraceContext, inSpan, shutdownTracing, SpanKind } from './tracing.js';

describe('tracing', () => {
  afterEach(async () => {
    await shutdownTracing();
  });

  it('without an exporter records nothing, yet every span has a trace id that propagates', async () => {
    initTracing({ service: 'tracing-spec' });
    const seen = await inSpan('outer', SpanKind.SERVER, {}, async (outer) =>
      inSpan('inner', SpanKind.CLIENT, {}, async (inner) => {
        const carrier: Record<string, string> = {};
        injectTraceContext((k, v) => (carrier[k] = v));
        return { outer: outer.spanContext(), inner: inner.spanContext(), recording: [outer.isRecording(), inner.isRecording()], carrier };
      }),
    );
    expect(seen.recording).toEqual([false, false]);
    expect(seen.outer.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.outer.traceId).not.toBe('0'.repeat(32));
    expect(seen.inner.traceId).toBe(seen.outer.traceId);
    expect(seen.carrier.traceparent).toBe(`00-${seen.outer.traceId}-${seen.inner.spanId}-00`);
  });

  it('with an exporter records new traces (sampled flag set)', async () => {
    initTracing({ service: 'tracing-spec', otlpEndpoint: 'http://127.0.0.1:9/' });
    const span = await inSpan('outer', SpanKind.SERVER, {}, async (s) => s);
    expect(span.isRecording()).toBe(false); // ended
    expect(span.spanContext().traceFlags & 1).toBe(1);
  });
});
