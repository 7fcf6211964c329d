import { render } from 'preact';
import { Api, localStorageTokens, ownerOf } from './api';
import { App } from './app';
import { ErrorBoundary } from './components/ErrorBoundary';
import { OutsideTelegram } from './screens/OutsideTelegram';
import { StartupError } from './screens/StartupError';
import { openStartEvent } from './startParam';
import { readLaunch, setUpTelegram } from './telegram';
import './styles.css';

const root = document.getElementById('app') as HTMLElement;
try {
  const launch = readLaunch();
  if (!launch) {
    render(<OutsideTelegram />, root);
  } else {
    // Throws UnknownEnvError with launch parameters but no Telegram client around the page
    // (a plain browser tab): a readable screen, not a blank page.
    setUpTelegram();
    openStartEvent(launch.startParam); // a direct link to an event (startapp=e_<id>)
    const tokens = localStorageTokens(ownerOf(launch.initData));
    const api = new Api({ initData: () => launch.initData, tokens });
    render(
      <ErrorBoundary>
        <App api={api} />
      </ErrorBoundary>,
      root,
    );
  }
} catch (error) {
  console.error('The Mini App could not start:', error);
  render(<StartupError error={error} />, root);
}
