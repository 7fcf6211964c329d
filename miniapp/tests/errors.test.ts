import { describe, expect, it } from 'vitest';
import { ApiError, checkinRefusal, loginExpired, message } from '../src/errors';

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

describe("the door's refusals", () => {
  const at = (iso: string) => `T${iso.slice(11, 16)}`;
  it('says in words why each ticket was refused', () => {
    const refused = (status: number, detail: string, body: unknown = null) =>
      checkinRefusal(new ApiError(status, detail, body), at);
    expect(refused(409, 'already checked in', { checked_in_at: '2031-05-01T18:03:00Z' })).toBe(
      'Already checked in at T18:03.',
    );
    expect(refused(409, 'check-in opens at 16:00')).toBe('Not now: check-in opens at 16:00.');
    const window = { opens_at: '2031-05-01T16:00:00Z', closes_at: '2031-05-01T21:00:00Z' };
    expect(refused(409, 'check-in for this event is open from …', window)).toBe(
      'Not now: check-in is open from T16:00 to T21:00.',
    );
    expect(refused(422, [{ loc: ['body', 'ticket'], msg: 'too long' }] as never)).toMatch(/^Not a ticket/);
    expect(refused(410, 'rsvp cancelled')).toMatch(/^Cancelled: .*void/);
    expect(refused(422, 'ticket for another event')).toMatch(/^Wrong event/);
    expect(refused(400, 'invalid ticket')).toMatch(/^Not a ticket of ours/);
    expect(refused(403, 'staff role required')).toMatch(/Only staff/);
    expect(checkinRefusal(new TypeError('Failed to fetch'), at)).toMatch(/Scan it again/);
  });
});
