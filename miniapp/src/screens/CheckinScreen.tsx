import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Event, Person } from '../api';
import { Avatar } from '../components/Avatar';
import { ErrorState } from '../components/ErrorState';
import { Skeleton } from '../components/Skeleton';
import { ApiError, checkinRefusal } from '../errors';
import { clock, instant } from '../format';
import { useMainButton } from '../hooks/useMainButton';
import { useReady } from '../hooks/useReady';
import { navigate } from '../router';
import { isStaff, type ScreenProps } from '../screen';
import * as tg from '../telegram';

/** A camera held on a code reads it again and again: the same text within this long is one scan. */
const SAME_SCAN_MS = 2500;
const KEPT = 20;

/** What this scanner knows of one scanned text: its Idempotency-Key (one per text, so a retry
 * after a lost answer is the same request to the API), whether it is being submitted, when it
 * was last read, and whether this scanner already checked it in. */
interface Scanned {
  key: string;
  busy: boolean;
  last: number;
  checkedInAt: string | null;
}

interface Outcome {
  n: number;
  ok: boolean;
  person: Person | null;
  words: string;
}

/** Staff and admins at the door: Telegram's QR scanner stays open, each ticket it reads is
 * submitted once, and the member's name and photo (a success haptic) or the refusal in words
 * (an error haptic) show here, with the count checked in. The API's answer decides, never the
 * code: a cancelled RSVP's ticket is refused however valid it looks. */
export function CheckinScreen({ api, user, params }: ScreenProps) {
  const id = params.id ?? '';
  const [event, setEvent] = useState<Event | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [totals, setTotals] = useState<{ checked_in: number; going: number } | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [scanning, setScanning] = useState(false);
  const scans = useRef(new Map<string, Scanned>());
  const counter = useRef(0);
  const allowed = isStaff(user);

  const readTotals = useCallback(() => {
    api.attendees(id, null, 1).then(
      (page) => setTotals({ checked_in: page.checked_in, going: page.going }),
      () => undefined,
    );
  }, [id]);
  const load = useCallback(() => {
    setError(null);
    api.event(id).then((r) => setEvent(r.event), setError);
    readTotals();
  }, [id]);
  useEffect(() => {
    if (allowed) load();
  }, [allowed, load]);
  useReady(event !== null || error !== null || (user !== null && !allowed));
  // Leaving the screen (the BackButton) closes the scanner it opened.
  useEffect(() => () => tg.closeQrScanner(), []);

  const show = (outcome: Omit<Outcome, 'n'>) => {
    counter.current += 1;
    const n = counter.current;
    setOutcomes((old) => [{ ...outcome, n }, ...old].slice(0, KEPT));
    tg.haptic(outcome.ok ? 'success' : 'error');
  };

  const onText = (text: string) => {
    const now = Date.now();
    let scan = scans.current.get(text);
    if (scan && (scan.busy || now - scan.last < SAME_SCAN_MS)) return;
    if (!scan) {
      scan = { key: crypto.randomUUID(), busy: false, last: 0, checkedInAt: null };
      scans.current.set(text, scan);
    }
    const current = scan;
    current.busy = true;
    current.last = now;
    api.checkIn(id, text, current.key).then(
      ({ checkin }) => {
        // The same key gives the first answer back: a ticket this scanner checked in before,
        // shown again, is a second person with the same code, not a second welcome.
        if (current.checkedInAt !== null) {
          show({ ok: false, person: checkin.user, words: `Already checked in at ${clock(current.checkedInAt)}.` });
          return;
        }
        current.checkedInAt = checkin.checked_in_at;
        setTotals((t) => t && { ...t, checked_in: t.checked_in + 1 });
        show({ ok: true, person: checkin.user, words: `Checked in at ${clock(checkin.checked_in_at)}.` });
      },
      (e: unknown) => {
        // No answer: the next read of this code retries with the same key.
        if (!(e instanceof ApiError)) current.last = 0;
        // "Already checked in" names who was: the staff compare them with who stands there.
        const who = e instanceof ApiError ? (e.body as { user?: Person | null } | null)?.user : null;
        show({ ok: false, person: who ?? null, words: checkinRefusal(e, clock, instant) });
      },
    ).finally(() => {
      current.busy = false;
      if (current.last !== 0) current.last = Date.now();
    });
  };

  const scan = () => {
    if (scanning) return;
    // A new scanning session reads every code anew (the keys stay: the same text, the same key).
    for (const s of scans.current.values()) s.last = 0;
    setScanning(true);
    tg.scanQr('Scan a ticket', onText)
      .catch(() => undefined)
      .finally(() => {
        setScanning(false);
        readTotals(); // other scanners at other doors counted too
      });
  };
  const canScan = allowed && tg.canScanQr();
  useMainButton(canScan && event && !scanning ? 'Scan tickets' : null, async () => scan());

  if (user && !allowed) {
    return <main><p class="state" role="alert">Only staff and admins can check people in.</p></main>;
  }
  if (error) return <main><ErrorState error={error} retry={load} /></main>;
  if (!event) return <main><Skeleton count={1} /></main>;
  const latest = outcomes[0];
  return (
    <main>
      <header class="top">
        <h1>Check in</h1>
        <button type="button" class="button small" onClick={() => navigate(`events/${id}/attendees`)}>
          Attendees
        </button>
      </header>
      <p class="event-name" dir="auto">{event.title}</p>
      <p class="count">
        {totals ? `${totals.checked_in} / ${totals.going} checked in` : '… checked in'}
      </p>
      <section class={`scan-result${latest ? (latest.ok ? ' ok' : ' refused') : ''}`} role="status">
        {latest ? (
          <>
            {latest.person && <Avatar person={latest.person} size="large" />}
            {latest.person && <h2 dir="auto">{latest.person.name}</h2>}
            <p class="words">{latest.words}</p>
          </>
        ) : canScan ? (
          <p>Tap “Scan tickets” and point the camera at a ticket. The scanner stays open: scan one after another.</p>
        ) : (
          <p>This Telegram app has no QR scanner: open the app in Telegram on a phone.</p>
        )}
      </section>
      {outcomes.length > 1 && (
        <>
          <h2 class="section">Earlier scans</h2>
          <ul class="people">
            {outcomes.slice(1).map((o) => (
              <li key={o.n} class={`person${o.ok ? '' : ' refused'}`}>
                {o.person ? (
                  <Avatar person={o.person} size="small" />
                ) : (
                  <div class="avatar small unknown" aria-hidden="true">!</div>
                )}
                <div class="text">
                  <span class="name" dir="auto">{o.person?.name ?? 'Refused'}</span>
                  <span class="words">{o.words}</span>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
