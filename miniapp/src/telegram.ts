// Everything that talks to the Telegram client, through @telegram-apps/sdk.
import {
  backButton,
  copyTextToClipboard,
  downloadFile,
  hapticFeedback,
  init,
  isAccessDeniedError,
  isShareMessageError,
  mainButton,
  miniApp,
  openLink,
  openTelegramLink,
  popup,
  qrScanner,
  retrieveLaunchParams,
  retrieveRawInitData,
  shareMessage,
  shareURL,
  themeParams,
  viewport,
} from '@telegram-apps/sdk';

export interface Launch {
  initData: string;
  startParam: string | null;
  userId: number | null;
}

/** The launch parameters (URL hash or the SDK's session copy), or null outside Telegram. */
export function readLaunch(): Launch | null {
  try {
    const initData = retrieveRawInitData();
    if (!initData) return null;
    const params = retrieveLaunchParams();
    const data = params.tgWebAppData;
    return {
      initData,
      startParam: data?.start_param ?? params.tgWebAppStartParam ?? null,
      userId: data?.user?.id ?? null,
    };
  } catch {
    return null;
  }
}

/** init(), theme as CSS variables (following theme_changed), viewport, buttons. Throws when no
 * Telegram client is around the page (the SDK's UnknownEnvError): main.tsx shows why. */
export function setUpTelegram(): void {
  // Not the SDK's own <style id="telegram-custom-styles">: an inline style element, which the
  // page's CSP (style-src 'self') refuses; followCustomStyles() applies the same CSS instead.
  init({ acceptCustomStyles: false });
  followCustomStyles();
  themeParams.mountSync();
  themeParams.bindCssVars();
  miniApp.mountSync();
  miniApp.bindCssVars();
  backButton.mount();
  mainButton.mount();
  // The viewport asks the client for its size and safe areas; nothing waits for it.
  if (viewport.mount.isAvailable()) {
    viewport
      .mount()
      .then(() => {
        viewport.bindCssVars();
        if (viewport.expand.isAvailable()) viewport.expand();
      })
      .catch(() => undefined);
  }
}

// Telegram Web sends its scrollbar CSS (`set_custom_style`), coloured by its current theme, so
// no CSP hash can name it in advance. A constructed style sheet (CSSOM, which CSP does not
// govern, as it does not the SDK's own style.setProperty for the theme variables) applies it
// with style-src left at 'self'. Accepted as Telegram's own telegram-web-app.js does: from the
// parent frame only, and only from Telegram Web (or this origin: the dev launch page).
function followCustomStyles(): void {
  if (window.parent === window || !('adoptedStyleSheets' in document)) return;
  const origins = ['https://web.telegram.org', location.origin];
  const sheet = new CSSStyleSheet();
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.source !== window.parent || !origins.includes(event.origin)) return;
    if (typeof event.data !== 'string') return;
    let message: { eventType?: unknown; eventData?: unknown };
    try {
      message = JSON.parse(event.data) as typeof message;
    } catch {
      return;
    }
    if (message?.eventType === 'set_custom_style' && typeof message.eventData === 'string') {
      sheet.replaceSync(message.eventData);
    }
  });
}

let readyCalled = false;
export function ready(): void {
  if (readyCalled) return;
  readyCalled = true;
  miniApp.ready();
}

export function isDark(): boolean {
  return themeParams.isDark();
}

type Off = () => void;

export function showMainButton(text: string, onClick: () => void): Off {
  mainButton.setParams({ text, isVisible: true, isEnabled: true, isLoaderVisible: false });
  const off = mainButton.onClick(onClick);
  return () => {
    off();
    mainButton.setParams({ isVisible: false, isLoaderVisible: false });
  };
}

export function mainButtonBusy(busy: boolean): void {
  mainButton.setParams({ isLoaderVisible: busy, isEnabled: !busy });
}

export function showBackButton(onClick: () => void): Off {
  backButton.show();
  const off = backButton.onClick(onClick);
  return () => {
    off();
    backButton.hide();
  };
}

export function haptic(kind: 'success' | 'error'): void {
  if (hapticFeedback.notificationOccurred.isAvailable()) hapticFeedback.notificationOccurred(kind);
}

export function share(url: string, text: string): void {
  shareURL(url, text);
}

/** The client can send a prepared inline message (`web_app_send_prepared_message`, Bot API 8.0+). */
export function canShareMessage(): boolean {
  return shareMessage.isAvailable();
}

/** What became of a prepared message: sent to a chat, declined by the member (who closed the
 * chat picker), or not sent for another reason (expired, unsupported): the caller falls back
 * to a share link then. */
export type Shared = 'sent' | 'declined' | 'failed';

/** Opens the client's chat picker with the prepared message `id` (`web_app_send_prepared_message`);
 * resolves on the client's `prepared_message_sent` / `prepared_message_failed`. */
export async function sharePrepared(id: string): Promise<Shared> {
  try {
    await shareMessage(id);
    return 'sent';
  } catch (error) {
    // `prepared_message_failed` {error}: Telegram's USER_DECLINED when the member closed the picker.
    if (isShareMessageError(error) && /USER_DECLINED/.test(error.message)) return 'declined';
    return 'failed';
  }
}

/** Opens a t.me link inside Telegram (`web_app_open_tg_link`): a chat's invite link opens
 * the chat, not a browser; another URL goes to openLink. */
export function openInTelegram(url: string): void {
  if (/^https:\/\/t\.me\/.+/.test(url)) openTelegramLink(url);
  else openLink(url);
}

export async function copy(text: string): Promise<void> {
  // The SDK asks the client (web_app_write_clipboard... or the browser's clipboard).
  await copyTextToClipboard(text);
}

/** What became of a request to save a file: the client downloads it (Bot API 8.0+), the member
 * declined in the client's popup, or (older clients) the link was opened in the browser. */
export type Saved = 'downloading' | 'declined' | 'opened';

/** Asks the client to download `url` as `fileName` (`web_app_request_file_download`, which it
 * confirms with the member first); a client before Bot API 8.0 opens the link instead, and the
 * browser or the system hands the file to the calendar. */
export async function saveFile(url: string, fileName: string): Promise<Saved> {
  if (downloadFile.isAvailable()) {
    try {
      await downloadFile(url, fileName);
      return 'downloading';
    } catch (error) {
      if (isAccessDeniedError(error)) return 'declined';
      // Anything else (a client that answered oddly): the link still works.
    }
  }
  openLink(url);
  return 'opened';
}

// Telegram for Android and Telegram Web open only the schemes of the server's
// `web_app_allowed_protocols` (http and https by default) and drop any other link the app asks
// for, silently; Telegram's own telegram-web-app.js refuses them outright. The other clients
// (iOS, macOS, desktop) hand a link to the system, whose calendar offers the subscription.
const DROPS_OTHER_SCHEMES = ['android', 'android_x', 'web', 'weba', 'webk'];

/** Whether asking the client to open a `webcal://` link can reach the member's calendar. */
export function opensWebcal(): boolean {
  try {
    return !DROPS_OTHER_SCHEMES.includes(retrieveLaunchParams().tgWebAppPlatform);
  } catch {
    return false;
  }
}

/** Opens a link outside the app (`web_app_open_link`): the SDK takes any absolute URL. */
export function open(url: string): void {
  openLink(url);
}

/** The client's native popup with `action` (destructive) and Cancel: true when the member
 * pressed `action`. Without popups (before Bot API 6.2), the browser's confirm(). */
export async function confirm(message: string, action: string): Promise<boolean> {
  if (!popup.open.isAvailable()) return window.confirm(message);
  const pressed = await popup.open({
    message,
    buttons: [
      { id: 'confirm', type: 'destructive', text: action },
      { id: 'cancel', type: 'cancel' },
    ],
  });
  return pressed === 'confirm';
}

/** Telegram's QR scanner is there (Mini Apps 6.4+, and not every client: Telegram Desktop has none). */
export function canScanQr(): boolean {
  return qrScanner.open.isAvailable();
}

/** Opens Telegram's QR scanner (`web_app_open_scan_qr_popup`) and calls `onText` with every code
 * it reads (`qr_text_received`) while it stays open: a door scans one ticket after another.
 * Resolves when the member closes it (`scan_qr_popup_closed`) or closeQrScanner() does. */
export async function scanQr(text: string, onText: (qr: string) => void): Promise<void> {
  await qrScanner.open({ text, onCaptured: onText });
}

export function closeQrScanner(): void {
  if (qrScanner.close.isAvailable() && qrScanner.isOpened()) qrScanner.close();
}
