// DateTime: RFC 3339 date-times with a time zone, in as text, out as UTC ISO text. Our own, lighter than
// graphql-scalars' validator, which took about 1.5 µs a value on the ingest path (two per reported record).
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isoText } from '../domain/iso-date.js';

// Messages start "DateTime cannot represent", which graphql/errors.ts turns from a validation failure into bad input.
const BAD_INPUT = { code: 'BAD_USER_INPUT' };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** The instant of an RFC 3339 date-time with a time zone; null for anything else (no zone, 30 February, 25:00). */
export function parseDateTime(text: string): Date | null {
  const match = RFC3339.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const lastDay = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (year < 1 || !lastDay || day < 1 || day > lastDay) return null;
  if (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6]) > 59) return null;
  if (match[7] !== undefined && (Number(match[7]) > 23 || Number(match[8]) > 59)) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
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
    return isoText(date);
  },
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError(`DateTime cannot represent a non-string value (${ast.kind})`, { nodes: ast, extensions: BAD_INPUT });
    }
    return parse(ast.value);
  },
});
