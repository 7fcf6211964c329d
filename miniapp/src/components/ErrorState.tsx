import { ApiError, loginExpired, message } from '../errors';
import { navigate } from '../router';

export function ErrorState({ error, retry }: { error: unknown; retry: () => void }) {
  // A 404 stays a 404: trying again would not help, going back to the list does.
  const gone = error instanceof ApiError && error.status === 404;
  return (
    <div class="state" role="alert">
      <p>{message(error)}</p>
      {/* An expired login: only reopening the app helps, which the message says. */}
      {!loginExpired(error) && (
        <button type="button" class="button" onClick={gone ? () => navigate('', true) : retry}>
          {gone ? 'Back to events' : 'Try again'}
        </button>
      )}
    </div>
  );
}
