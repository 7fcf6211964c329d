import type { Event } from './api';

const dateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** Start in the member's locale and time zone. */
export function when(event: Event): string {
  return dateFormat.format(new Date(event.start_date));
}

/** "Sat, 3 May, 18:00 – 20:00" (the end's date too when it differs). */
export function timeRange(event: Event): string {
  const start = new Date(event.start_date);
  const end = new Date(event.end_date);
  const sameDay = start.toDateString() === end.toDateString();
  return `${dateFormat.format(start)} – ${(sameDay ? timeFormat : dateFormat).format(end)}`;
}

/** "Free", or the price in the event's ISO 4217 currency ("€1,234.50", "¥500") in the member's
 * locale; the number alone for an event without one (an answer cached before events had one). */
export function price(event: Omit<Event, 'currency'> & { currency?: string | null }): string {
  const value = Number(event.price);
  if (!value) return 'Free';
  if (event.currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: event.currency }).format(value);
    } catch {
      // Not a well-formed code (Intl throws a RangeError): the number is still worth showing.
    }
  }
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 }).format(value);
}

export function spots(event: Event): string | null {
  const left = event.spots_left;
  if (left === null || left === undefined) return null;
  return left <= 0 ? 'Full' : `${left} ${left === 1 ? 'spot' : 'spots'} left`;
}

/** "<slug>.ics" for an event's calendar file, as the API names it in its Content-Disposition
 * (community.services.calendar.filename): the title's ASCII letters and digits (accents taken
 * off, anything else dropped) in lower case joined by hyphens, cut at 60 (at a word ending in
 * the second half); "event-<id>" when the title has none (Arabic, Cyrillic). */
export function calendarFileName(title: string, id: string): string {
  const ascii = title.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  let slug = hyphenated(ascii);
  if (slug.length > MAX_SLUG) {
    const cut = slug.slice(0, MAX_SLUG);
    slug = trimHyphens(cut.slice(MAX_SLUG / 2).includes('-') ? cut.slice(0, cut.lastIndexOf('-')) : cut);
  }
  return `${slug || `event-${id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`}.ics`;
}

const MAX_SLUG = 60;
const hyphenated = (text: string) => trimHyphens(text.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
const trimHyphens = (text: string) => text.replace(/^-+|-+$/g, '');

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/** "18:03": when a member was checked in, in the staff member's locale and time zone. */
export function clock(iso: string): string {
  return clockFormat.format(new Date(iso));
}

/** "Sat, 3 May, 18:00": an instant (a role change's) in the member's locale and time zone. */
export function instant(iso: string): string {
  return dateFormat.format(new Date(iso));
}
