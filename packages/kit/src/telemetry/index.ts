export { SpanAttribute, tracer } from './tracer';
export { activeTelemetrySettings, isTracingEnabled, shutdownTracing } from './start';
export { operationSpanPlugin } from './operationSpan';
export {
  readSlowResolverReport,
  type SlowResolverReport,
  type SlowResolverRow,
} from './slowResolverReport';
export { traceProcessor, TracedQueue } from './jobSpans';
export { telemetrySettings, type TelemetrySettings } from './settings';
