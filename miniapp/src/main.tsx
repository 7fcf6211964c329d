import { render } from 'preact';
import { Api, localStorageTokens } from './api';
import { App } from './app';
import { OutsideTelegram } from './screens/OutsideTelegram';
import { openStartEvent } from './startParam';
import { readLaunch, setUpTelegram } from './telegram';
import './styles.css';

const root = document.getElementById('app') as HTMLElement;
const launch = readLaunch();
if (!launch) {
  render(<OutsideTelegram />, root);
} else {
  setUpTelegram();
  openStartEvent(launch.startParam); // a direct link to an event (startapp=e_<id>)
  const api = new Api({ initData: () => launch.initData, tokens: localStorageTokens() });
  render(<App api={api} />, root);
}
