import { describe, expect, it } from 'vitest';
import { ApiError, loginExpired, message } from '../src/errors';

describe('an expired login', () => {
  it("is the API's 401 for initData older than AUTH_MAX_AGE_SECONDS, and only that", () => {
    expect(loginExpired(new ApiError(401, 'init data has expired'))).toBe(true);
    expect(loginExpired(new ApiError(401, 'init data signature mismatch'))).toBe(false);
    expect(loginExpired(new ApiError(401, 'invalid or expired token'))).toBe(false);
    expect(loginExpired(new ApiError(503, 'init data has expired'))).toBe(false);
    expect(loginExpired(new TypeError('Failed to fetch'))).toBe(false);
  });

  it('tells the member to reopen the app, which signs a new one', () => {
    expect(message(new ApiError(401, 'init data has expired'))).toMatch(/close the app and open it again/);
  });
});
