import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api, Attendee } from '../api';

/** An event's attendee list (staff), a page at a time, with the totals of the last page read. */
export function useAttendees(api: Api, id: string) {
  const [attendees, setAttendees] = useState<Attendee[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [totals, setTotals] = useState<{ checked_in: number; going: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const first = useCallback(() => {
    setAttendees(null);
    setError(null);
    setMoreError(null);
    api.attendees(id).then((page) => {
      setAttendees(page.attendees);
      setCursor(page.next_cursor);
      setTotals({ checked_in: page.checked_in, going: page.going });
    }, setError);
  }, [id]);
  useEffect(first, [first]);
  const more = useCallback(() => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(null);
    api
      .attendees(id, cursor)
      .then((page) => {
        setAttendees((old) => [...(old ?? []), ...page.attendees]);
        setCursor(page.next_cursor);
        setTotals({ checked_in: page.checked_in, going: page.going });
      }, setMoreError)
      .finally(() => setLoadingMore(false));
  }, [id, cursor]);
  return { attendees, cursor, totals, error, first, more, moreError, loadingMore };
}
