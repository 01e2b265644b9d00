/**
 * One line per notable thing, on stderr: `time level message key=value ...` for humans, or one
 * JSON object per line (`{"time","level","msg",...fields}`) with --log-format json.
 */
import { escapeForTerminal } from '../model/index.js';

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export type LogFormat = 'text' | 'json';

function quote(v: string | number | boolean | null): string {
  // Values come from S3 keys, queue bodies and AWS errors: escaped so they cannot drive the terminal.
  const s = escapeForTerminal(v);
  return /^[^\s"=]+$/.test(s) ? s : `"${s.replace(/"/g, '\\"')}"`;
}

export function createLogger(format: LogFormat, write: (line: string) => void = (l) => process.stderr.write(l), now: () => Date = () => new Date()): Logger {
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    const clean: Record<string, string | number | boolean | null> = {};
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) clean[k] = v;
    const time = now().toISOString();
    if (format === 'json') {
      write(JSON.stringify({ time, level, msg, ...clean }) + '\n');
    } else {
      const kv = Object.entries(clean)
        .map(([k, v]) => `${k}=${quote(v)}`)
        .join(' ');
      write(`${time} ${level.padEnd(5)} ${escapeForTerminal(msg)}${kv ? ' ' + kv : ''}\n`);
    }
  };
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: { level: LogLevel; msg: string; fields: LogFields }[] } {
  const lines: { level: LogLevel; msg: string; fields: LogFields }[] = [];
  return {
    lines,
    info: (msg, fields = {}) => void lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields = {}) => void lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields = {}) => void lines.push({ level: 'error', msg, fields }),
  };
}
