// The API's types as the Mini App uses them, all from src/api-types.ts: openapi-typescript's
// output for openapi.json (`make openapi` writes both; a test fails when either is stale).
import type { components, paths } from './api-types';

// The one runtime value generated: the categories, in the API's order (schemas.EventCategory).
export { eventCategoryValues as CATEGORIES } from './api-types';

type Schemas = components['schemas'];
export type User = Schemas['UserPrivate'];
export type Event = Schemas['EventPublic'];
export type Page = Schemas['UpcomingEvents'];
/** One of the member's own events, with their part in it: going, or waiting at a position. */
export type MyEvent = Schemas['MyEvent'];
export type MyPage = Schemas['MyEvents'];
/** The member's RSVP to one event: going, waitlisted at a position, or none. */
export type RsvpState = Schemas['RsvpState']['rsvp'];
export type Category = Schemas['EventCategory'];

export type Paths = paths;
export type Method = 'get' | 'post' | 'patch' | 'delete';

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

// Issue 28 (tickets, check-in, roles): the answers as the issue fixes them, written by hand
// until the back end's branches are merged and `make openapi` generates them.
/** A member as the door sees them: the ticket's holder, a checked-in attendee. */
export interface Person {
  name: string;
  photo_url: string | null;
  /** Null for an RSVP older than the bot, whose member cannot be looked up. */
  referral_code?: string | null;
}
export interface TicketAnswer {
  success: boolean;
  /** Opaque and signed: what the QR code carries, verbatim. */
  ticket: string;
  event_id: string;
  user: Person;
}
export interface Checkin {
  user: Person;
  checked_in_at: string;
  checked_in_by: string;
}
export interface CheckinAnswer {
  success: boolean;
  checkin: Checkin;
}
export interface Attendee {
  user: Person;
  checked_in_at: string | null;
}
export interface AttendeesPage {
  success: boolean;
  attendees: Attendee[];
  next_cursor: string | null;
  checked_in: number;
  going: number;
}
export type Role = 'member' | 'staff' | 'admin';
export const ROLES: readonly Role[] = ['member', 'staff', 'admin'];
export type RoleMember = Schemas['UserPublic'];
/** One role change of the audit list: who changed whose role, from what to what, when. */
export interface RoleChange {
  at: string;
  by: string;
  member: string;
  from_role: string;
  to_role: string;
}
export interface RolesAnswer {
  success: boolean;
  members: RoleMember[];
  changes: RoleChange[];
}
export interface RoleGranted {
  success: boolean;
  user: RoleMember;
}
