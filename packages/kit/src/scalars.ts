import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { ErrorCode } from './errors';

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput } });
}

function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || !isoInstant.test(value)) {
    throw invalid(
      'DateTime must be an ISO-8601 string with a time zone, e.g. 2026-05-01T09:00:00Z.',
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw invalid(`DateTime ${JSON.stringify(value)} is not a real instant.`);
  return date;
}

/** `DateTime`: a `Date` inside resolvers, an ISO-8601 UTC string on the wire. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string') return new Date(value).toISOString();
    throw new TypeError(`DateTime cannot serialize ${typeof value}`);
  },
  parseValue: parseInstant,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid('DateTime must be a string.');
    return parseInstant(ast.value);
  },
});

/** Returns true for a real calendar date written as YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  const match = isoDate.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw invalid('Date must be a real calendar date written as YYYY-MM-DD.');
  }
  return value;
}

/** `Date`: a calendar date without a time zone, YYYY-MM-DD both inside and on the wire. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  serialize: (value) => String(value),
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid('Date must be a string.');
    return parseDate(ast.value);
  },
});
