// DateTime: RFC 3339 date-times with a time zone, in as text, out as UTC ISO text. Our own, lighter than
// graphql-scalars' validator, which took about 1.5 µs a value on the ingest path (two per reported record).
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

// Messages start "DateTime cannot represent", which graphql/errors.ts turns from a validation failure into bad input.
const BAD_INPUT = { code: 'BAD_USER_INPUT' };

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The instant of an RFC 3339 date-time with a time zone; null for anything else (no zone, 30 February, 25:00). */
export function parseDateTime(text: string): Date | null {
  const upper = text.toUpperCase();
  const match = RFC3339.exec(upper);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, , , offsetHours, offsetMinutes] = match.map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (offsetHours > 23 || offsetMinutes > 59) return null; // NaN (a Z) passes
  const date = new Date(upper);
  return Number.isNaN(date.getTime()) ? null : date;
}

function parse(value: unknown): Date {
  const date = typeof value === 'string' ? parseDateTime(value) : null;
  if (!date) {
    throw new GraphQLError(
      `DateTime cannot represent ${JSON.stringify(value)}: give an RFC 3339 date-time with a time zone, e.g. 2026-11-23T10:15:30Z`,
      { extensions: BAD_INPUT },
    );
  }
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'A date-time with a time zone, as RFC 3339 text such as 2026-11-23T10:15:30Z (offsets like +02:00 too); answered in UTC.',
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339#section-5.6',
  serialize(value) {
    const date = value instanceof Date ? value : parse(value);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot serialize an invalid date');
    return date.toISOString();
  },
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError(`DateTime cannot represent a non-string value (${ast.kind})`, { nodes: ast, extensions: BAD_INPUT });
    }
    return parse(ast.value);
  },
});
