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

export function price(event: Event): string {
  const value = Number(event.price);
  if (!value) return 'Free';
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 }).format(value);
}

export function spots(event: Event): string | null {
  if (event.spots_left === null || event.spots_left === undefined) return null;
  return event.spots_left <= 0 ? 'Full' : `${event.spots_left} spots left`;
}
