// The terminal's log (issue 23): quiet by default, one short line an entry; elsewhere JSON lines.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { createLogger, prettyLine } from '../../server/logger.js';

describe('the log on a terminal', () => {
  it('is warnings and errors, pretty, unless LOG_LEVEL says otherwise; elsewhere JSON at info', () => {
    expect(loadConfig({}, { terminal: true })).toMatchObject({ logLevel: 'warn', logFormat: 'pretty' });
    expect(loadConfig({ LOG_LEVEL: 'debug' }, { terminal: true })).toMatchObject({ logLevel: 'debug', logFormat: 'pretty' });
    expect(loadConfig({})).toMatchObject({ logLevel: 'info', logFormat: 'json' });
    expect(loadConfig({ LOG_LEVEL: 'error' })).toMatchObject({ logLevel: 'error', logFormat: 'json' });
  });

  it('writes one short line an entry, fields after the message, an error stack indented below', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (line) => lines.push(line), 'pretty');
    logger.info('not shown');
    logger.warn('export download failed', { jobId: 'j-1', note: 'two words', secret: 'sw_x' });
    const error = new Error('boom');
    logger.error('shutdown failed', { err: error });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}export download failed {2}jobId=j-1 note="two words" secret=\[redacted\]\n$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d ERROR shutdown failed {2}err="boom"\n {4}Error: boom\n {8}at /);
  });

  it('passes a line that is not JSON as it is, and colours the level only when asked', () => {
    expect(prettyLine('plain text\n')).toBe('plain text\n');
    const json = JSON.stringify({ level: 'warn', time: '2026-12-07T06:00:00.000Z', msg: 'slow' });
    expect(prettyLine(json)).toBe('06:00:00 WARN  slow\n');
    expect(prettyLine(json, true)).toBe('06:00:00 \u001b[33mWARN \u001b[0m slow\n');
  });
});
