// The start parameter of a direct link (t.me/<bot>/<app>?startapp=...), read as the backend
// writes it (layers/shared/community/applinks.py): `_`-separated key/value pairs, `e_<event id>`
// opening that event, `_r_<referral code>` beside it crediting the sharer (the backend reads it
// from the signed initData at login); a bare referral code (UP-XXXXXX) or anything malformed
// (an `r` that is not a referral code included) opens none. Unknown keys are ignored, so a later
// one keeps old links working. Both sides are tested with the same vectors
// (miniapp/tests/start-params.json).
import { BASE, navigate } from './router';

const PARAM = /^[A-Za-z0-9_-]{1,512}$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REFERRAL = /^UP-[A-Z0-9]{6}$/;

/** The event id (canonical: ULIDs upper case, UUIDs lower case) the parameter opens, or null. */
export function eventOf(param: string | null | undefined): string | null {
  if (!param || !PARAM.test(param)) return null;
  const parts = param.split('_');
  if (parts.length % 2) return null;
  const pairs = new Map<string, string>();
  for (let i = 0; i < parts.length; i += 2) {
    const key = parts[i] as string;
    if (pairs.has(key)) return null;
    pairs.set(key, parts[i + 1] as string);
  }
  const raw = pairs.get('e');
  if (!raw) return null;
  const referral = pairs.get('r');
  if (referral !== undefined && !REFERRAL.test(referral.toUpperCase())) return null;
  if (ULID.test(raw.toUpperCase())) return raw.toUpperCase();
  if (UUID.test(raw.toLowerCase())) return raw.toLowerCase();
  return null;
}

const OPENED = 'community.startParamOpened';

/** On a launch at the app's root (where a direct link lands) whose start parameter names an
 * event, that event's screen, pushed over the list so the BackButton leads to it. Once per
 * session: back on the list, a reload keeps the list. */
export function openStartEvent(param: string | null): void {
  const id = eventOf(param);
  const atRoot = location.pathname === BASE || location.pathname === BASE.replace(/\/$/, '');
  if (!id || !atRoot || sessionStorage.getItem(OPENED) === param) return;
  sessionStorage.setItem(OPENED, param as string);
  navigate(`events/${encodeURIComponent(id)}`);
}
