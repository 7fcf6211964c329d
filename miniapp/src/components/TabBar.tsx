import { navigate } from '../router';

/** The tab a route belongs to (the route table's `tab`). */
export type Tab = 'events' | 'profile';

const TABS: { tab: Tab; label: string; path: string }[] = [
  { tab: 'events', label: 'Events', path: '' },
  { tab: 'profile', label: 'Profile', path: 'profile' },
];

export function TabBar({ current }: { current: Tab }) {
  return (
    <nav class="tabbar" aria-label="Main">
      {TABS.map(({ tab, label, path }) => (
        <a
          key={tab}
          href={`/app/${path}`}
          class="tab"
          aria-current={tab === current ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate(path);
          }}
        >
          {label}
        </a>
      ))}
    </nav>
  );
}
