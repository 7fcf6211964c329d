// The admin form's fields and how they map to and from the API's event (what was typed is
// sent as it is, so the API's 422 can name the field beside which to show it).
import type { Event } from '../api';

export type FormValues = Record<string, string>;

export const FIELDS: { name: string; label: string; type?: string; hint?: string }[] = [
  { name: 'title', label: 'Title' },
  { name: 'description', label: 'Description', type: 'textarea' },
  { name: 'start_date', label: 'Starts', type: 'datetime-local' },
  { name: 'end_date', label: 'Ends', type: 'datetime-local' },
  { name: 'location', label: 'Location' },
  { name: 'price', label: 'Price', type: 'number' },
  // ISO 4217; left empty, the deployment's default currency (an edit keeps the event's own).
  { name: 'currency', label: 'Currency (ISO code, e.g. EUR)', type: 'currency', hint: 'Default' },
  { name: 'capacity', label: 'Capacity', type: 'number' },
  { name: 'image_url', label: 'Image URL', type: 'url' },
  { name: 'category', label: 'Category', type: 'select' },
];

/** An ISO instant as a datetime-local input's value, in the member's time zone. */
function localInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The form filled in with an event, to edit it. */
export function toValues(event: Event): FormValues {
  const values: FormValues = {};
  for (const { name } of FIELDS) {
    const value = (event as unknown as Record<string, unknown>)[name];
    values[name] = value === null || value === undefined ? '' : String(value);
  }
  values.start_date = localInput(event.start_date);
  values.end_date = localInput(event.end_date);
  return values;
}

/** The request body: empty optional fields as null (or left out when editing the dates). */
export function toPayload(values: FormValues, editing: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name } of FIELDS) {
    const raw = (values[name] ?? '').trim();
    if (name === 'start_date' || name === 'end_date') {
      if (raw) out[name] = new Date(raw).toISOString();
      else if (!editing) out[name] = raw;
    } else if (name === 'price') out[name] = raw === '' ? 0 : raw;
    else if (name === 'capacity') out[name] = raw === '' ? null : Number(raw);
    else if (name === 'image_url' || name === 'category') out[name] = raw === '' ? null : raw;
    else if (name === 'currency') {
      if (raw) out[name] = raw.toUpperCase();
    }
    else out[name] = raw;
  }
  return out;
}
