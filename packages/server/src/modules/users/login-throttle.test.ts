import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import { LoginThrottle } from './login-throttle.js';

const limits = { perAccount: 3, perIp: 5, windowMs: 60_000 };

describe('LoginThrottle', () => {
  it('stops an account after its failures, until the oldest leaves the window', () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(clock, limits);
    for (let i = 0; i < 3; i++) {
      expect(throttle.check('a@x.ru', `10.0.0.${i}`)).toBeUndefined();
      throttle.fail('a@x.ru', `10.0.0.${i}`);
      clock.advance(10_000);
    }
    expect(throttle.check('a@x.ru', '10.9.9.9')).toEqual({ scope: 'account', retryAfterMs: 30_000 });
    expect(throttle.check('b@x.ru', '10.0.0.1')).toBeUndefined();
    clock.advance(30_000);
    expect(throttle.check('a@x.ru', '10.9.9.9')).toBeUndefined();
  });

  it('stops an address that guesses across many accounts', () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(clock, limits);
    for (let i = 0; i < 5; i++) throttle.fail(`user${i}@x.ru`, '203.0.113.7');
    expect(throttle.check('new@x.ru', '203.0.113.7')).toMatchObject({ scope: 'ip' });
    expect(throttle.check('new@x.ru', '203.0.113.8')).toBeUndefined();
  });

  it('forgets an account’s failures after a successful sign-in', () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(clock, limits);
    throttle.fail('a@x.ru', '10.0.0.1');
    throttle.fail('a@x.ru', '10.0.0.1');
    throttle.succeed('a@x.ru');
    throttle.fail('a@x.ru', '10.0.0.1');
    throttle.fail('a@x.ru', '10.0.0.1');
    expect(throttle.check('a@x.ru', '10.0.0.2')).toBeUndefined();
  });
});
