// The API's types as the Mini App uses them, all from src/api-types.ts: openapi-typescript's
// output for openapi.json (`make openapi` writes both; a test fails when either is stale).
import type { components, paths } from './api-types';

// The one runtime value generated: the categories, in the API's order (schemas.EventCategory).
export { eventCategoryValues as CATEGORIES } from './api-types';

type Schemas = components['schemas'];
/** The member's private profile; `referral_count`: members who joined through their code. */
export type User = Schemas['UserPrivate'];
export type Event = Schemas['EventPublic'];
export type Page = Schemas['UpcomingEvents'];
/** One of the member's own events, with their part in it: going, or waiting at a position. */
export type MyEvent = Schemas['MyEvent'];
export type MyPage = Schemas['MyEvents'];
/** The member's RSVP to one event: going, waitlisted at a position, or none. */
export type RsvpState = Schemas['RsvpState']['rsvp'];
export type Category = Schemas['EventCategory'];
/** The member's private calendar feed: its https URL, and the same address as webcal://. */
export type CalendarFeed = Schemas['CalendarLinks'];

export type Paths = paths;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What `method path` answers on success as openapi.json documents it (its 200, else 201, JSON):
 * a path the API drops or renames, or an answer it changes, fails the type check where used. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer T } } }
    ? T
    : R extends { 201: { content: { 'application/json': infer T } } }
      ? T
      : null // 204: no body
  : never;

// Issue 28: tickets, check-in, roles.
/** A member as the door sees them: the ticket's holder, a checked-in attendee. */
export type Person = Schemas['TicketHolder'] & { referral_code?: string | null };
export type Checkin = Schemas['Checkin'];
export type Attendee = Schemas['AttendeeEntry'];
export type AttendeesPage = Schemas['Attendees'];
export type Role = Schemas['RoleUpdate']['role'];
export const ROLES: readonly Role[] = ['member', 'staff', 'admin'];
export type RoleMember = Schemas['UserPublic'];
/** One role change of the audit list: who changed whose role, from what to what, when. */
export type RoleChange = Schemas['RoleChangeRecord'];

// Issue 29: sharing an event, its chat, who brought whom.
/** POST /api/v1/events/{id}/share: a prepared inline message for this member's client to send
 * (`expires_at` in Unix seconds), and `url`, the card's "Open event" link (the event's direct
 * link carrying the member's referral). */
export type SharePrepared = Schemas['EventShared'];
/** One row of GET /api/v1/referrals/top: public profile fields and the count. */
export type Referrer = Schemas['Referrer'];
export type TopReferrers = Schemas['Leaderboard'];
export type ReferralPeriod = TopReferrers['period'];
