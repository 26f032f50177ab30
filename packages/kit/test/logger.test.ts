import { Writable } from 'node:stream';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createLogger, runInRequestScope, scrubSensitiveText } from '../src';

/** Collects the JSON records a logger writes. */
function capture() {
  const records: Array<Record<string, unknown>> = [];
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      records.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { records, lines, stream };
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe('createLogger', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => context.setGlobalContextManager(contextManager.enable()));
  afterAll(() => {
    contextManager.disable();
    context.disable();
  });

  it('adds the active span ids', () => {
    const { records, stream } = capture();
    const logger = createLogger('cards', 'info', stream);
    const span = trace.wrapSpanContext({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside a span'));
    logger.info('outside any span');

    expect(records[0]).toMatchObject({ trace_id: TRACE_ID, span_id: SPAN_ID, trace_flags: '01' });
    expect(records[1]!.trace_id).toBeUndefined();
    expect(records[1]!.span_id).toBeUndefined();
  });

  it('adds operation and subgraph of the request', () => {
    const { records, stream } = capture();
    const logger = createLogger('cards', 'info', stream);
    runInRequestScope({ operation: 'Dashboard', subgraph: 'cards' }, () => logger.info('served'));
    expect(records[0]).toMatchObject({ operation: 'Dashboard', subgraph: 'cards' });
  });

  it('redacts secrets and personal data', () => {
    const { lines, stream } = capture();
    const logger = createLogger('users', 'debug', stream);
    const password = 'correct horse battery staple';
    const email = 'ada.lovelace@example.com';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfYSJ9.c2lnbmF0dXJl';
    logger.info({ input: { email, password } }, 'sign-up input');
    logger.info({ variables: { input: { email, password } } }, 'variables');
    logger.info({ req: { headers: { authorization: `Bearer ${jwt}` } } }, 'request');
    logger.info({ headers: { 'x-heartfelt-gateway-token': jwt } }, 'subgraph request');
    const duplicate = Object.assign(new Error(`E11000 dup key: { _id: "${email}" }`), {
      keyValue: { _id: email },
    });
    logger.error({ err: duplicate }, 'insert failed');
    logger.warn({ err: `connect failed for smtp://mailer:${password.replace(/ /g, '')}@mail` });
    logger.info(`logged in ${email} with Bearer ${jwt}`);

    const output = lines.join('');
    expect(output).not.toContain(password);
    expect(output).not.toContain(password.replace(/ /g, ''));
    expect(output).not.toContain(email);
    expect(output).not.toContain(jwt);
    expect(output).toContain('[redacted]');
    expect(output).toContain('[email]');
  });
});

describe('scrubSensitiveText', () => {
  it.each([
    ['mail to bo@example.com now', 'mail to [email] now'],
    ['redis://:s3cret@cache:6379', 'redis://:[redacted]@cache:6379'],
    ['Authorization: Bearer abc.def-ghi', 'Authorization: Bearer [redacted]'],
    ['no secrets here', 'no secrets here'],
  ])('scrubs %s', (input, expected) => {
    expect(scrubSensitiveText(input)).toBe(expected);
  });
});
