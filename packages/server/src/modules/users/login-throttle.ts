import type { Clock } from '../../clock.js';

export interface ThrottleLimits {
  /** Failed sign-ins allowed per account (normalised email) within the window. */
  perAccount: number;
  /** Failed sign-ins allowed from one client address within the window, whatever the accounts. */
  perIp: number;
  windowMs: number;
}

export const LOGIN_LIMITS: ThrottleLimits = { perAccount: 10, perIp: 30, windowMs: 15 * 60_000 };

export interface Throttled {
  scope: 'account' | 'ip';
  retryAfterMs: number;
}

/** Past this many keys, expired ones are swept out, so that a spray of addresses cannot grow memory forever. */
const SWEEP_AT = 10_000;

/**
 * Failed sign-ins in a sliding window, per account and per client address. A success clears the account's
 * failures (not the address's). Kept in memory: each instance counts its own attempts, so N instances allow up
 * to N times the limit — still far too few guesses for a 10-character password.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: ThrottleLimits = LOGIN_LIMITS,
  ) {}

  /** Whether another attempt may be tried now; checked before the password is (scrypt is costly). */
  check(account: string, ip: string): Throttled | undefined {
    const now = this.clock.now();
    for (const [scope, key, limit] of [
      ['account', `a:${account}`, this.limits.perAccount],
      ['ip', `i:${ip}`, this.limits.perIp],
    ] as const) {
      const recent = this.recent(key, now);
      if (recent.length >= limit) {
        const oldest = recent[recent.length - limit] ?? now;
        return { scope, retryAfterMs: Math.max(1000, oldest + this.limits.windowMs - now) };
      }
    }
    return undefined;
  }

  fail(account: string, ip: string): void {
    const now = this.clock.now();
    if (this.failures.size > SWEEP_AT) this.sweep(now);
    for (const [key, limit] of [
      [`a:${account}`, this.limits.perAccount],
      [`i:${ip}`, this.limits.perIp],
    ] as const) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.set(key, recent.slice(-limit));
    }
  }

  succeed(account: string): void {
    this.failures.delete(`a:${account}`);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => at > now - this.limits.windowMs);
  }

  private sweep(now: number): void {
    for (const [key, times] of this.failures)
      if (!times.some((at) => at > now - this.limits.windowMs)) this.failures.delete(key);
  }
}
