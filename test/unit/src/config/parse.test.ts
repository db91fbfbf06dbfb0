import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../../../src/config/parse.js';

describe('parseConfigText', () => {
  it('reads key = value lines with line numbers, skipping comments and blanks', () => {
    const text = ['# a comment', '', 'listeners.tcp.default = 5672', '   ', '  heartbeat=30  ', '\t# indented comment', 'default_user = bob'].join('\n');
    expect(parseConfigText(text)).toEqual([
      { key: 'listeners.tcp.default', value: '5672', line: 3 },
      { key: 'heartbeat', value: '30', line: 5 },
      { key: 'default_user', value: 'bob', line: 7 },
    ]);
  });

  it('handles CRLF line endings', () => {
    expect(parseConfigText('a = 1\r\nb = 2\r\n')).toEqual([
      { key: 'a', value: '1', line: 1 },
      { key: 'b', value: '2', line: 2 },
    ]);
  });

  it('strips a trailing comment after whitespace but keeps # inside a value', () => {
    expect(parseConfigText('heartbeat = 30 # seconds\ndefault_pass = pa#ss')).toEqual([
      { key: 'heartbeat', value: '30', line: 1 },
      { key: 'default_pass', value: 'pa#ss', line: 2 },
    ]);
  });

  it('keeps = signs inside the value', () => {
    expect(parseConfigText('default_pass = a=b=c')[0]?.value).toBe('a=b=c');
  });

  it('names the file and line of a line without =, without echoing it', () => {
    expect(() => parseConfigText('heartbeat = 1\ndefault_pass secret', 'polyport.conf')).toThrow(
      new ConfigError("polyport.conf:2: expected 'key = value'"),
    );
  });

  it('rejects a missing value and a bad key', () => {
    expect(() => parseConfigText('heartbeat =')).toThrow("line 1: heartbeat: missing value");
    expect(() => parseConfigText('= 5')).toThrow('line 1: missing key');
    expect(() => parseConfigText('a..b = 5')).toThrow("line 1: invalid key 'a..b'");
    expect(() => parseConfigText('a b = 5')).toThrow("line 1: invalid key 'a b'");
  });

  it('returns no entries for an empty text', () => {
    expect(parseConfigText('')).toEqual([]);
  });
});
