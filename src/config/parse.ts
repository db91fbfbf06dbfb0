/**
 * Parser for the rabbitmq.conf format (cuttlefish / sysctl style).
 *
 * Responsibilities:
 * - split a config text into `key = value` entries, remembering line numbers;
 * - skip blank lines and comment lines (`#` as the first non-blank character);
 * - strip a trailing comment introduced by whitespace + `#` (`heartbeat = 30  # secs`);
 *   a `#` glued to a value (`default_pass = pa#ss`) stays part of the value;
 * - check the key syntax (dot-separated segments of `[A-Za-z0-9_-]`).
 *
 * It knows nothing about which keys exist: that is schema.ts.
 * Errors are `ConfigError`s naming the source and line.
 */

export interface ConfigEntry {
  /** dotted key as written, e.g. `listeners.tcp.default` */
  readonly key: string;
  /** the value with surrounding whitespace and any trailing comment removed */
  readonly value: string;
  /** 1-based line number */
  readonly line: number;
}

/** A config problem; `message` is ready to print (`polyport.conf:7: unknown key 'x'`). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** `polyport.conf:7` when the source has a name, `line 7` otherwise. */
export function location(source: string | undefined, line: number): string {
  return source ? `${source}:${line}` : `line ${line}`;
}

const KEY_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Parses config text. `source` names the file in error messages. Throws ConfigError. */
export function parseConfigText(text: string, source?: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) {
      // the line is not echoed: it could be a mistyped password line
      throw new ConfigError(`${location(source, lineNo)}: expected 'key = value'`);
    }
    const key = trimmed.slice(0, eq).trim();
    const value = stripTrailingComment(trimmed.slice(eq + 1)).trim();
    if (key === '') throw new ConfigError(`${location(source, lineNo)}: missing key before '='`);
    if (!key.split('.').every((s) => KEY_SEGMENT.test(s))) {
      throw new ConfigError(`${location(source, lineNo)}: invalid key '${clip(key)}'`);
    }
    if (value === '') throw new ConfigError(`${location(source, lineNo)}: ${key}: missing value`);
    entries.push({ key, value, line: lineNo });
  }
  return entries;
}

function stripTrailingComment(v: string): string {
  const m = /\s#/.exec(v);
  return m ? v.slice(0, m.index) : v;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
