// The screens, one line each: the first route whose `match` fits the path under /app/ is shown
// (`:id` takes that segment into params.id). Adding a screen: a file in screens/ and a line here.
import type { ComponentType } from 'preact';
import type { Tab } from './components/TabBar';
import type { ScreenProps } from './screen';
import { AdminScreen } from './screens/AdminScreen';
import { AttendeesScreen } from './screens/AttendeesScreen';
import { CallbackScreen } from './screens/CallbackScreen';
import { CheckinScreen } from './screens/CheckinScreen';
import { EventScreen } from './screens/EventScreen';
import { EventsScreen } from './screens/EventsScreen';
import { ProfileScreen } from './screens/ProfileScreen';
import { RolesScreen } from './screens/RolesScreen';
import { TicketScreen } from './screens/TicketScreen';

export interface Route {
  name: string;
  match: string;
  Screen: ComponentType<ScreenProps>;
  /** Telegram's BackButton is shown (and goes back in history). */
  back: boolean;
  /** The tab marked current in the tab bar. */
  tab: Tab;
}

export const ROUTES: readonly Route[] = [
  // Before 'events/:id', which fits their paths too (a match ignores the segments after it).
  { name: 'ticket', match: 'events/:id/ticket', Screen: TicketScreen, back: true, tab: 'events' },
  { name: 'checkin', match: 'events/:id/checkin', Screen: CheckinScreen, back: true, tab: 'events' },
  { name: 'attendees', match: 'events/:id/attendees', Screen: AttendeesScreen, back: true, tab: 'events' },
  { name: 'event', match: 'events/:id', Screen: EventScreen, back: true, tab: 'events' },
  { name: 'profile', match: 'profile', Screen: ProfileScreen, back: false, tab: 'profile' },
  { name: 'callback', match: 'auth/callback', Screen: CallbackScreen, back: false, tab: 'events' },
  { name: 'admin-new', match: 'admin/new', Screen: AdminScreen, back: true, tab: 'events' },
  { name: 'roles', match: 'admin/roles', Screen: RolesScreen, back: true, tab: 'profile' },
  { name: 'admin-edit', match: 'admin/events/:id', Screen: AdminScreen, back: true, tab: 'events' },
  // Last: '' fits every path, so /app/ and any unknown path show the list.
  { name: 'events', match: '', Screen: EventsScreen, back: false, tab: 'events' },
];
