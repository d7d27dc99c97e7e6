/** Structured logging: one JSON object per line, with bindings carried by child loggers. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

const levelRank: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Field names whose values never reach a log line, whatever the caller passes. */
const redactedKeys = /^(password|token|secret|authorization|cookie|code|api_key|tushare_token)$/i;

function errorFields(err: Error): LogFields {
  return { name: err.name, message: err.message, stack: err.stack };
}

function serialise(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (redactedKeys.test(k)) out[k] = '[redacted]';
    else if (v instanceof Error) out[k] = errorFields(v);
    else out[k] = v;
  }
  return out;
}

export interface LoggerOptions {
  level: LogLevel | 'silent';
  /** Where lines go; defaults to stdout. */
  write?: (line: string) => void;
  now?: () => Date;
}

export function makeLogger(options: LoggerOptions, bindings: LogFields = {}): Logger {
  const min = levelRank[options.level];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (levelRank[level] < min) return;
    const line = { time: now().toISOString(), level, msg, ...serialise(bindings), ...(fields ? serialise(fields) : {}) };
    write(JSON.stringify(line) + '\n');
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (more) => makeLogger(options, { ...bindings, ...more }),
  };
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = makeLogger({ level: 'silent' });
