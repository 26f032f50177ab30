import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
} from '@opentelemetry/api';
import { Queue, type Job, type JobsOptions, type Processor } from 'bullmq';
import { SpanAttribute, tracer } from './tracer';

/**
 * Job tracing. The producer's span context travels in the job's options as BullMQ's own
 * telemetry metadata (`opts.telemetry.metadata`, stored with the job), serialized as the W3C
 * `traceparent` and `tracestate` headers, so the job's data stays the domain's alone. The
 * processing span is a child of the enqueue span, in the request's trace, and also links to it,
 * because a delayed job can run days after the request ended.
 */

function messagingAttributes(queue: string, operation: 'send' | 'process') {
  return {
    'messaging.system': 'bullmq',
    'messaging.destination.name': queue,
    'messaging.operation.type': operation,
  };
}

/** Returns job options carrying the active span context, when there is a recording span. */
function withTraceMetadata(opts: JobsOptions | undefined): JobsOptions | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return opts;
  return { ...opts, telemetry: { ...opts?.telemetry, metadata: JSON.stringify(carrier) } };
}

/** A BullMQ queue whose `add` and `addBulk` record a producer span and pass its context on. */
export class TracedQueue<Data> extends Queue<Data> {
  protected override addJob(
    ...[name, data, opts]: Parameters<Queue<Data>['add']>
  ): ReturnType<Queue<Data>['add']> {
    return tracer.startActiveSpan(
      `send ${this.name}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          ...messagingAttributes(this.name, 'send'),
          [SpanAttribute.JobName]: String(name),
          ...(opts?.jobId ? { [SpanAttribute.JobId]: opts.jobId } : {}),
        },
      },
      async (span) => {
        try {
          return await super.addJob(name, data, withTraceMetadata(opts));
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute('error.type', (error as Error).name ?? 'Error');
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  override addBulk(
    jobs: Parameters<Queue<Data>['addBulk']>[0],
  ): ReturnType<Queue<Data>['addBulk']> {
    return tracer.startActiveSpan(
      `send ${this.name}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          ...messagingAttributes(this.name, 'send'),
          'messaging.batch.message_count': jobs.length,
        },
      },
      async (span) => {
        try {
          return await super.addBulk(
            jobs.map((job) => ({ ...job, opts: withTraceMetadata(job.opts) })),
          );
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }
}

/** Reads the producer's span context from a job's telemetry metadata, if it has any. */
function producerContextOf(job: Job) {
  const metadata = job.opts?.telemetry?.metadata;
  if (typeof metadata !== 'string') return null;
  try {
    const carrier = JSON.parse(metadata) as unknown;
    if (typeof carrier !== 'object' || carrier === null) return null;
    return propagation.extract(ROOT_CONTEXT, carrier as Record<string, string>);
  } catch {
    return null;
  }
}

/**
 * Wraps a job processor so each attempt runs in a `process <queue>` consumer span, a child of
 * the span that enqueued the job. Jobs without trace metadata (a job scheduler's) start a trace.
 */
export function traceProcessor<Data>(queue: string, processor: Processor<Data>): Processor<Data> {
  return (job, token, signal) => {
    const parent = producerContextOf(job);
    const producer = parent ? trace.getSpanContext(parent) : undefined;
    const links: Link[] = producer ? [{ context: producer }] : [];
    return tracer.startActiveSpan(
      `process ${queue}`,
      {
        kind: SpanKind.CONSUMER,
        links,
        attributes: {
          ...messagingAttributes(queue, 'process'),
          [SpanAttribute.JobName]: job.name,
          [SpanAttribute.JobAttempt]: job.attemptsMade + 1,
          ...(job.id ? { [SpanAttribute.JobId]: job.id } : {}),
        },
      },
      parent ?? ROOT_CONTEXT,
      async (span) => {
        try {
          return await processor(job, token, signal);
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute('error.type', (error as Error).name ?? 'Error');
          throw error;
        } finally {
          span.end();
        }
      },
    );
  };
}
