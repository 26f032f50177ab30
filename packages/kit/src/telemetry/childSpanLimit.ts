import { trace, type Context, type Span } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-node';

/** Attribute counting the database spans of a parent that were not exported. */
export const DROPPED_DATABASE_SPANS = 'heartfelt.database_spans.dropped';

function isDatabaseSpan(span: ReadableSpan): boolean {
  return (
    span.attributes['db.system'] !== undefined || span.attributes['db.system.name'] !== undefined
  );
}

/**
 * Caps the database spans (Redis and store commands) exported under one parent span, so that a
 * Redis pipeline of 1,000 commands, or a loop of store reads, cannot make a trace of 1,000
 * spans. The first `maxPerParent` are passed to `next`; the rest are dropped and counted on the
 * parent as {@link DROPPED_DATABASE_SPANS}. Database spans have no children, so dropping one
 * leaves no span without its parent.
 */
export class ChildSpanLimit implements SpanProcessor {
  private readonly counts = new WeakMap<Span, number>();
  private readonly dropped = new WeakSet<ReadableSpan>();

  constructor(
    private readonly next: SpanProcessor,
    private readonly maxPerParent: number,
  ) {}

  onStart(span: Parameters<SpanProcessor['onStart']>[0], parentContext: Context): void {
    const parent = trace.getSpan(parentContext);
    if (parent && isDatabaseSpan(span)) {
      const count = (this.counts.get(parent) ?? 0) + 1;
      this.counts.set(parent, count);
      if (count > this.maxPerParent) {
        this.dropped.add(span);
        parent.setAttribute(DROPPED_DATABASE_SPANS, count - this.maxPerParent);
        return;
      }
    }
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (this.dropped.has(span)) return;
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
