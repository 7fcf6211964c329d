import { isUnknownEnvError } from '@telegram-apps/sdk';
import { useEffect } from 'preact/hooks';

const BOT_URL = import.meta.env.VITE_BOT_URL ?? 'https://t.me/community_bot/app';

/** What a failed start shows instead of a blank page (main.tsx, ErrorBoundary): no Telegram
 * client around the page (launch parameters in a plain browser tab), or any other error. */
export function StartupError({ error }: { error: unknown }) {
  const noClient = isUnknownEnvError(error);
  useEffect(() => {
    document.title = noClient ? 'Community: could not start' : 'Community: error';
  }, [noClient]);
  return (
    <main class="outside">
      <div role="alert">
        <h1>{noClient ? 'The app could not start' : 'Something went wrong'}</h1>
        <p>
          {noClient
            ? 'It runs inside Telegram, and no Telegram app answered: open it from the bot in Telegram.'
            : 'Something went wrong on this screen. Reloading usually helps.'}
        </p>
        <p>
          {noClient ? (
            <a class="button" href={BOT_URL}>
              Open the bot in Telegram
            </a>
          ) : (
            <button type="button" class="button" onClick={() => location.reload()}>
              Reload
            </button>
          )}
        </p>
        <details>
          <summary>Details</summary>
          <p>{describe(error)}</p>
        </details>
      </div>
    </main>
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}
