import { trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';

// OpenTelemetry's context keys are `Symbol.for(description)` (createContextKey): this is the key
// trace.setSpan() and trace.getSpan() use.
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/**
 * A context that holds a span and one more value (the Stitch scope) over a parent context, in one
 * object. OpenTelemetry's own contexts copy their parent's Map on every `setValue` and give each
 * copy three closures: `trace.setSpan()` then `setValue()` made two such copies per request,
 * about 1 µs of a real server's CPU per request (docs/performance.md). This one answers the two
 * values itself and the rest from its parent.
 *
 * A context derived from it (`setValue`, `deleteValue`: an instrumentation's child span, a
 * `withContext`) is an ordinary OpenTelemetry context, made from the two copies this one saved,
 * built once on the first derivation: derived contexts never chain to this object, so a loop
 * that derives from its own context keeps no earlier span alive.
 */
export class SpanScopeContext implements Context {
  private base: Context | undefined;

  constructor(
    private readonly parent: Context,
    private readonly span: Span,
    private readonly key: symbol,
    private readonly value: unknown,
  ) {}

  getValue(key: symbol): unknown {
    if (key === SPAN_KEY) return this.span;
    if (key === this.key) return this.value;
    return this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.materialized().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.materialized().deleteValue(key);
  }

  private materialized(): Context {
    return (this.base ??= trace.setSpan(this.parent, this.span).setValue(this.key, this.value));
  }
}
