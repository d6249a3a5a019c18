import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  const limits = { windowMs: 60_000, perUser: 3, perAddress: 5 };
  let now = 0;
  const throttle = () => new LoginThrottle(limits, () => now);

  beforeEach(() => (now = 1_000_000));

  it('blocks a user name after its limit until the oldest failure leaves the window', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterSeconds('Alice', `10.0.0.${i}`)).toBe(0);
      t.recordFailure('Alice', `10.0.0.${i}`);
      now += 10_000;
    }
    // Failures at 0 s, 10 s and 20 s; now is 30 s: the first leaves the window at 60 s.
    expect(t.retryAfterSeconds('alice', '10.0.0.9')).toBe(30);
    now += 29_999;
    expect(t.retryAfterSeconds('ALICE', '10.0.0.9')).toBe(1);
    now += 1;
    expect(t.retryAfterSeconds('alice', '10.0.0.9')).toBe(0);
    expect(t.retryAfterSeconds('bob', '10.0.0.9')).toBe(0);
  });

  it('blocks an address trying many names, whatever the name', () => {
    const t = throttle();
    for (let i = 0; i < 5; i++) t.recordFailure(`user${i}`, '192.0.2.1');
    expect(t.retryAfterSeconds('someone-new', '192.0.2.1')).toBe(60);
    expect(t.retryAfterSeconds('someone-new', '192.0.2.2')).toBe(0);
  });

  it('forgets a user name after a successful login, not the address', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) t.recordFailure('alice', '192.0.2.1');
    t.recordSuccess('alice');
    expect(t.retryAfterSeconds('alice', '192.0.2.7')).toBe(0);
    for (let i = 0; i < 2; i++) t.recordFailure('bob', '192.0.2.1');
    expect(t.retryAfterSeconds('carol', '192.0.2.1')).toBe(60);
  });
});
