import { useEffect, useState } from 'preact/hooks';
import type { Api, ReferralPeriod, Referrer } from '../api';
import { message } from '../errors';
import { Avatar } from './Avatar';

const PERIODS: readonly { period: ReferralPeriod; label: string }[] = [
  { period: 'month', label: 'This month' },
  { period: 'all', label: 'All time' },
];

/** Who brought the most members (the API's top 10), this month or ever. Each period is asked
 * for once while the profile is open: toggling back shows the rows already read. */
export function Leaderboard({ api, me }: { api: Api; me: string }) {
  const [period, setPeriod] = useState<ReferralPeriod>('month');
  const [rows, setRows] = useState<Partial<Record<ReferralPeriod, Referrer[]>>>({});
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const shown = rows[period];
  useEffect(() => {
    if (shown) return;
    setError(null);
    api.topReferrers(period).then(
      (r) => setRows((all) => ({ ...all, [period]: r.members })),
      setError,
    );
  }, [period, attempt]);
  return (
    <section class="leaderboard" aria-labelledby="leaderboard-title">
      <h2 id="leaderboard-title">Who brought the most members</h2>
      <div class="toggle" role="group" aria-label="Period">
        {PERIODS.map(({ period: p, label }) => (
          <button
            key={p}
            type="button"
            class="chip"
            aria-pressed={p === period}
            onClick={() => setPeriod(p)}
          >
            {label}
          </button>
        ))}
      </div>
      {error !== null && !shown ? (
        <p class="more-error" role="alert">
          {message(error)}{' '}
          <button type="button" class="button small" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </p>
      ) : !shown ? (
        <p class="meta" aria-busy="true">Loading…</p>
      ) : shown.length === 0 ? (
        <p class="meta">
          {period === 'month' ? 'No one brought a member this month yet.' : 'No one brought a member yet.'}
        </p>
      ) : (
        <ol class="people ranks">
          {shown.map((row, i) => (
            <li
              key={row.referral_code}
              class={row.referral_code === me ? 'person mine' : 'person'}
              aria-current={row.referral_code === me ? 'true' : undefined}
            >
              <span class="rank" aria-hidden="true">{i + 1}</span>
              <Avatar person={row} size="small" />
              <span class="text">
                <span dir="auto">{row.name}</span>
              </span>
              <span class="tag count-tag">
                {row.referral_count}
                <span class="visually-hidden"> {row.referral_count === 1 ? 'member' : 'members'}</span>
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
