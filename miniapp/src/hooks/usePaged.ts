import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Event } from '../api';

/** A list loaded a page at a time through `next_cursor`: the first page on mount and whenever
 * `deps` change, the next one on `more()`. */
export function usePaged<E extends Event = Event>(
  load: (cursor: string | null) => Promise<{ events: E[]; next_cursor: string | null }>,
  deps: unknown[],
) {
  const [events, setEvents] = useState<E[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // A failed "More" keeps the list and says so beside the button (error is the first page's).
  const [moreError, setMoreError] = useState<unknown>(null);
  const first = useCallback(() => {
    setEvents(null);
    setError(null);
    setMoreError(null);
    load(null).then(
      (page) => {
        setEvents(page.events);
        setCursor(page.next_cursor);
      },
      (e: unknown) => setError(e),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(first, [first]);
  const more = () => {
    setLoadingMore(true);
    setMoreError(null);
    load(cursor)
      .then((page) => {
        setEvents((old) => [...(old ?? []), ...page.events]);
        setCursor(page.next_cursor);
      }, setMoreError)
      .finally(() => setLoadingMore(false));
  };
  return { events, cursor, error, first, more, moreError, loadingMore };
}

export type Paged<E extends Event = Event> = ReturnType<typeof usePaged<E>>;
