import { useEffect } from 'preact/hooks';

const BOT_URL = import.meta.env.VITE_BOT_URL ?? 'https://t.me/community_bot/app';

/** Shown instead of the app when the page has no Telegram launch parameters (main.tsx). */
export function OutsideTelegram() {
  useEffect(() => {
    document.title = 'Open in Telegram';
  }, []);
  return (
    <main class="outside">
      <h1>Open this app in Telegram</h1>
      <p>This is a Telegram Mini App: it needs the login Telegram gives it when you open it from the bot.</p>
      <a class="button" href={BOT_URL}>
        Open the bot in Telegram
      </a>
    </main>
  );
}
