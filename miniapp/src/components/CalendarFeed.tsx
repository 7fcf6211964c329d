import { useState } from 'preact/hooks';
import type { Api, CalendarFeed as Feed } from '../api';
import { message } from '../errors';
import * as tg from '../telegram';

interface Props {
  api: Api;
  /** Tells screen readers (the profile's one live region). */
  say: (text: string) => void;
}

/** The member's private calendar feed on the profile: asked for on the first tap only (the
 * API makes the feed's token on first use, so a profile view makes none), then its link to
 * copy, to open as `webcal://` where the client can, and to reset. */
export function CalendarFeed({ api, say }: Props) {
  const [feed, setFeed] = useState<Feed | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const webcal = tg.opensWebcal();

  const run = async (work: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await work();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  const subscribe = () =>
    run(async () => {
      const got = await api.calendarFeed();
      setFeed(got);
      // The system's calendar asks whether to subscribe; elsewhere the link is shown to copy.
      if (webcal) tg.open(got.webcal_url);
    });

  const copy = (url: string) =>
    tg.copy(url).then(
      () => {
        setCopied(true);
        say('Calendar link copied');
      },
      () => setError('Could not copy it: select the link and copy it.'),
    );

  const reset = () =>
    run(async () => {
      const sure = await tg.confirm(
        'Reset your calendar link? Calendars subscribed with the current link stop updating.',
        'Reset link',
      );
      if (!sure) return;
      setFeed(await api.resetCalendarFeed());
      setCopied(false);
      say('Your calendar link is new');
    });

  return (
    <section class="calendar" aria-labelledby="calendar-heading">
      <h2 id="calendar-heading">Subscribe in your calendar</h2>
      <p class="meta">
        Your events in your calendar app, kept up to date: moved and cancelled events follow.
      </p>
      {!feed && (
        <button type="button" class="button" disabled={busy} onClick={subscribe}>
          Subscribe in your calendar
        </button>
      )}
      {feed && (
        <>
          {/* A URL reads left to right in any language around it. */}
          <p class="feed-url" dir="ltr">{feed.url}</p>
          <div class="row">
            {webcal && (
              <button type="button" class="button" onClick={() => tg.open(feed.webcal_url)}>
                Open in calendar
              </button>
            )}
            <button type="button" class="button secondary" onClick={() => copy(feed.url)}>
              {copied ? 'Copied' : 'Copy link'}
            </button>
          </div>
          {!webcal && (
            <p class="meta">In your calendar app, add a calendar from a URL and paste the link.</p>
          )}
          <p class="meta">Anyone with the link sees your events: reset it if you shared it.</p>
          <button type="button" class="button secondary danger" disabled={busy} onClick={reset}>
            Reset link
          </button>
        </>
      )}
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
