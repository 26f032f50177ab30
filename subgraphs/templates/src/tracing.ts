// The entry point imports this module first: tracing must start before the libraries it
// instruments (http, undici, ioredis) are loaded.
import { startTracing } from '@heartfelt/kit/dist/telemetry/start';

startTracing('templates');
