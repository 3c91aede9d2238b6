import type { SipLogger } from './types.js';

export type SipLog = SipLogger;

export const silentLog: SipLog = {
  info() {},
  warn() {},
  debug() {},
};
