import { useState } from 'preact/hooks';
import { CATEGORIES, type Category } from '../api';
import { EventList } from '../components/EventList';
import { usePaged } from '../hooks/usePaged';
import { useReady } from '../hooks/useReady';
import { navigate } from '../router';
import type { ScreenProps } from '../screen';

/** The upcoming events, by category, a page at a time; admins get "New event". */
export function EventsScreen({ api, user }: ScreenProps) {
  const [category, setCategory] = useState<Category | null>(null);
  const list = usePaged((cursor) => api.upcoming({ cursor, category, limit: 10 }), [category]);
  useReady(list.events !== null || list.error !== null);
  return (
    <main>
      <header class="top">
        <h1>Upcoming events</h1>
        {user?.role === 'admin' && (
          <button type="button" class="button small" onClick={() => navigate('admin/new')}>
            New event
          </button>
        )}
      </header>
      <div class="chips" role="group" aria-label="Categories">
        {[null, ...CATEGORIES].map((name) => (
          <button
            key={name ?? 'all'}
            type="button"
            class="chip"
            aria-pressed={category === name}
            onClick={() => setCategory(name)}
          >
            {name ?? 'All'}
          </button>
        ))}
      </div>
      <EventList
        list={list}
        skeleton={3}
        empty={
          <div class="state">
            <p>No upcoming events{category ? ` in ${category}` : ''} yet.</p>
          </div>
        }
      />
    </main>
  );
}
