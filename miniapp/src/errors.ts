// The API's errors, and how the app words them for the member.

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    /** The whole JSON answer (a 409 "already checked in" carries `checked_in_at` beside `detail`). */
    readonly body: unknown = null,
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
  }

  /** FastAPI's 422 `detail` list as `{field, message}` (the last `loc` item is the field). */
  fieldErrors(): FieldError[] {
    if (!Array.isArray(this.detail)) return [];
    return this.detail.map((item: { loc?: unknown[]; msg?: string }) => ({
      field: String(item.loc?.[item.loc.length - 1] ?? ''),
      message: item.msg ?? 'invalid',
    }));
  }
}

/** The login's initData is older than AUTH_MAX_AGE_SECONDS (services/auth -> telegram.py's
 * verify_init_data): Telegram signed it when the app was opened, and only reopening the app
 * signs a new one, so trying again cannot succeed. */
export function loginExpired(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.detail === 'init data has expired';
}

/** The sentence shown for a failed request. */
export function message(error: unknown): string {
  if (loginExpired(error)) return 'Your login from Telegram has expired: close the app and open it again.';
  if (error instanceof ApiError) {
    if (error.status === 404) return 'This event is gone.';
    if (error.status === 409) return typeof error.detail === 'string' && error.detail !== 'event full'
      ? `Not possible: ${error.detail}.`
      : 'This event is full.';
    if (error.status >= 500) return 'The service is unavailable right now.';
    return typeof error.detail === 'string' ? error.detail : `Error ${error.status}`;
  }
  return 'Network error: check your connection.';
}

/** Why the door refused a scanned ticket, in words for the staff member holding the phone
 * (the API's answers to POST /api/v1/events/{id}/checkins). */
export function checkinRefusal(
  error: unknown,
  clockOf: (iso: string) => string,
  dayOf: (iso: string) => string = clockOf,
): string {
  if (!(error instanceof ApiError)) return 'No connection: the ticket was not checked. Scan it again.';
  const detail = typeof error.detail === 'string' ? error.detail : '';
  const body = (error.body ?? {}) as { checked_in_at?: unknown; opens_at?: unknown; closes_at?: unknown };
  const at = body.checked_in_at;
  switch (error.status) {
    case 400:
      return 'Not a ticket of ours: forged, altered or another kind of code.';
    case 403:
      return 'Only staff and admins can check people in.';
    case 404:
      return 'This event is gone.';
    case 409:
      if (detail === 'already checked in') {
        return typeof at === 'string' ? `Already checked in at ${clockOf(at)}.` : 'Already checked in.';
      }
      if (typeof body.opens_at === 'string' && typeof body.closes_at === 'string') {
        return `Not now: check-in is open from ${dayOf(body.opens_at)} to ${dayOf(body.closes_at)}.`;
      }
      return `Not now: ${detail || 'outside the check-in window'}.`;
    case 410:
      return 'Cancelled: this RSVP was cancelled, so its ticket is void.';
    case 422:
      // The API's own 422 names the other event; FastAPI's (a list) is a text no ticket is.
      return Array.isArray(error.detail)
        ? 'Not a ticket of ours: forged, altered or another kind of code.'
        : 'Wrong event: this ticket is for another event.';
    default:
      return message(error);
  }
}
