import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

// Personal data and secrets never reach the log: phone numbers, IPs, tokens, cookies.
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-forwarded-for"]',
  'req.remoteAddress',
  'token',
  '*.token',
  'caller',
  '*.caller',
  'phone',
  '*.phone',
  'ip',
  '*.ip',
];

export function createLogger(config: Pick<Config, 'logLevel' | 'logFile'>): Logger {
  const options = { level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } };
  if (config.logFile === undefined) return pino(options);
  return pino(options, pino.destination({ dest: config.logFile, mkdir: true, sync: false }));
}
