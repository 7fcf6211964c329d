import type { Person } from '../api';

/** A member's Telegram photo, or the first letter of their name when they have none (or it
 * fails to load); `size` is its class: 'large' on the ticket and the scan result. */
export function Avatar({ person, size }: { person: Person; size?: 'large' | 'small' }) {
  const cls = `avatar${size ? ` ${size}` : ''}`;
  if (person.photo_url) {
    return (
      <img
        class={cls}
        src={person.photo_url}
        alt=""
        onError={(e) => (e.currentTarget.hidden = true)}
      />
    );
  }
  return (
    <div class={cls} aria-hidden="true" dir="auto">
      {person.name.slice(0, 1)}
    </div>
  );
}
