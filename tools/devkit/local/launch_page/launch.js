// The Telegram client around the Mini App on `make run`'s dev launch page (make app-url prints
// its link; docs/miniapp.md). It frames /app/ with the launch parameters, as Telegram Web does,
// and speaks the Mini Apps protocol with the unchanged production app: theme, viewport and safe
// areas on request, the MainButton and BackButton drawn here, Telegram Web's custom style, links
// opened in a new tab. Served by make run only: nothing of it is in miniapp/dist.

const LIGHT = {
  bg_color: '#ffffff',
  text_color: '#000000',
  hint_color: '#6d6d72',
  link_color: '#1a6fb5',
  button_color: '#1a6fb5',
  button_text_color: '#ffffff',
  secondary_bg_color: '#efeff3',
  section_bg_color: '#ffffff',
  accent_text_color: '#1a6fb5',
  subtitle_text_color: '#6d6d72',
  destructive_text_color: '#c0392b',
  section_separator_color: '#c8c7cc',
  header_bg_color: '#ffffff',
  bottom_bar_bg_color: '#ffffff',
};
const DARK = {
  bg_color: '#17212b',
  text_color: '#f5f5f5',
  hint_color: '#8f9ba8',
  link_color: '#6ab3f3',
  button_color: '#5288c1',
  button_text_color: '#ffffff',
  secondary_bg_color: '#0e1621',
  section_bg_color: '#17212b',
  accent_text_color: '#6ab2f2',
  subtitle_text_color: '#8f9ba8',
  destructive_text_color: '#ef5b5b',
  section_separator_color: '#111921',
  header_bg_color: '#17212b',
  bottom_bar_bg_color: '#17212b',
};
// A phone with a home indicator (what Telegram's iOS client reports), and no client UI over
// the app (content safe area: only in full screen).
const SAFE_AREA = { top: 0, bottom: 34, left: 0, right: 0 };
const CONTENT_SAFE_AREA = { top: 0, bottom: 0, left: 0, right: 0 };

const byId = (id) => document.getElementById(id);
const frame = byId('app');
const mainButton = byId('main');
const bottom = byId('bottom');
const backButton = byId('back');
const themeButton = byId('theme');

const launch = new URLSearchParams(location.hash.slice(1));
const initData = launch.get('tgWebAppData');
const given = launch.get('tgWebAppThemeParams');
let theme = given
  ? JSON.parse(given)
  : matchMedia('(prefers-color-scheme: dark)').matches
    ? DARK
    : LIGHT;

function send(eventType, eventData) {
  frame.contentWindow?.postMessage(JSON.stringify({ eventType, eventData }), location.origin);
}

function sendViewport() {
  const { width, height } = frame.getBoundingClientRect();
  send('viewport_changed', { width, height, is_expanded: true, is_state_stable: true });
}

// What Telegram Web sends once the frame is ready: its scrollbars, in the theme's colour
// (the app applies it without an inline <style>: see miniapp/src/telegram.ts).
function sendCustomStyle() {
  send('set_custom_style', `* { scrollbar-width: thin; scrollbar-color: ${theme.hint_color} transparent; }`);
}

function applyTheme() {
  const root = document.documentElement.style;
  root.setProperty('--client-bg', theme.bg_color);
  root.setProperty('--client-text', theme.text_color);
  root.setProperty('--client-link', theme.link_color);
  root.setProperty('--client-header', theme.header_bg_color ?? theme.bg_color);
  root.setProperty('--client-bottom', theme.bottom_bar_bg_color ?? theme.bg_color);
  root.setProperty('--client-separator', theme.section_separator_color ?? theme.hint_color);
  root.setProperty('--client-button', theme.button_color);
  root.setProperty('--client-button-text', theme.button_text_color);
  const dark = theme === DARK;
  themeButton.textContent = dark ? 'Light' : 'Dark';
  themeButton.setAttribute('aria-label', dark ? 'Light theme' : 'Dark theme');
}

function setMainButton(data) {
  bottom.hidden = !data.is_visible;
  mainButton.textContent = data.is_progress_visible ? '…' : (data.text ?? '');
  mainButton.disabled = data.is_active === false || Boolean(data.is_progress_visible);
  mainButton.style.backgroundColor = data.color ?? '';
  mainButton.style.color = data.text_color ?? '';
  requestAnimationFrame(sendViewport); // the frame got shorter or taller
}

// The app's popup as the browser's own dialog: OK presses its first button that is not a
// cancel or close one, Cancel its cancel button (or closes it without one).
function popupAnswer({ title, message, buttons = [] }) {
  const text = title ? `${title}\n\n${message}` : message;
  const dismiss = buttons.find((b) => b.type === 'cancel' || b.type === 'close');
  const act = buttons.find((b) => b !== dismiss);
  if (!act) {
    window.alert(text);
    return { button_id: dismiss?.id };
  }
  return { button_id: window.confirm(text) ? act.id : dismiss?.id };
}

function handle(type, data) {
  switch (type) {
    case 'iframe_ready':
      sendCustomStyle();
      break;
    case 'web_app_request_theme':
      send('theme_changed', { theme_params: theme });
      break;
    case 'web_app_request_viewport':
      sendViewport();
      break;
    case 'web_app_request_safe_area':
      send('safe_area_changed', SAFE_AREA);
      break;
    case 'web_app_request_content_safe_area':
      send('content_safe_area_changed', CONTENT_SAFE_AREA);
      break;
    case 'web_app_setup_main_button':
      setMainButton(data);
      break;
    case 'web_app_setup_back_button':
      backButton.hidden = !data.is_visible;
      break;
    case 'web_app_open_tg_link':
      window.open(`https://t.me${data.path_full}`, '_blank', 'noopener');
      break;
    case 'web_app_open_link':
      window.open(data.url, '_blank', 'noopener');
      break;
    case 'web_app_request_file_download':
      // Telegram Web asks first, then downloads; the app hears what the member chose.
      if (window.confirm(`Download ${data.file_name}?`)) {
        const link = Object.assign(document.createElement('a'), { href: data.url, download: data.file_name });
        link.click();
        send('file_download_requested', { status: 'downloading' });
      } else {
        send('file_download_requested', { status: 'cancelled' });
      }
      break;
    case 'web_app_open_popup':
      send('popup_closed', popupAnswer(data));
      break;
    case 'web_app_read_text_from_clipboard':
      send('clipboard_text_received', { req_id: data.req_id, data: null });
      break;
    default:
      break; // ready, expand, haptics, colours...: nothing to draw
  }
  // Every event the app posts, for whoever debugs it (not an error: the tests fail on those).
  console.debug('Mini App posted', type, data);
}

// The app's SDK, framed, posts to window.parent with Telegram Web's origin as the target
// (https://web.telegram.org), so a browser would not deliver it to this page: the frame is of
// this origin, and its call reaches this function instead.
const deliver = window.postMessage.bind(window);
window.postMessage = (message, ...rest) => {
  let event = null;
  try {
    event = typeof message === 'string' ? JSON.parse(message) : null;
  } catch {
    event = null;
  }
  if (event && typeof event.eventType === 'string') {
    setTimeout(() => handle(event.eventType, event.eventData ?? {}), 0);
  } else {
    deliver(message, ...rest);
  }
};

mainButton.addEventListener('click', () => send('main_button_pressed'));
backButton.addEventListener('click', () => send('back_button_pressed'));
themeButton.addEventListener('click', () => {
  theme = theme === DARK ? LIGHT : DARK;
  applyTheme();
  send('theme_changed', { theme_params: theme });
  sendCustomStyle();
});
addEventListener('resize', sendViewport);

applyTheme();
if (initData) {
  const params = new URLSearchParams({
    tgWebAppData: initData,
    tgWebAppVersion: '8.0',
    tgWebAppPlatform: 'weba',
    tgWebAppThemeParams: JSON.stringify(theme),
  });
  // A deep link's start parameter (make app-url EVENT=...), passed on as Telegram passes it.
  const startParam = launch.get('tgWebAppStartParam');
  if (startParam) params.set('tgWebAppStartParam', startParam);
  frame.src = `/app/#${params}`;
} else {
  frame.hidden = true;
  byId('missing').hidden = false;
}
