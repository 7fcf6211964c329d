import { describe, expect, it } from 'vitest';
import { resolve } from '../src/router';
import { ROUTES } from '../src/routes';

const at = (pathname: string) => {
  const { route, params } = resolve(ROUTES, pathname);
  return { name: route.name, params, back: route.back, tab: route.tab };
};

describe('the route table', () => {
  it('picks the screen for each path under /app/, with its params, BackButton and tab', () => {
    expect(at('/app/')).toEqual({ name: 'events', params: {}, back: false, tab: 'events' });
    expect(at('/app/events/e%201')).toEqual({ name: 'event', params: { id: 'e 1' }, back: true, tab: 'events' });
    expect(at('/app/profile')).toEqual({ name: 'profile', params: {}, back: false, tab: 'profile' });
    expect(at('/app/admin/new')).toEqual({ name: 'admin-new', params: {}, back: true, tab: 'events' });
    expect(at('/app/admin/events/e1')).toEqual({ name: 'admin-edit', params: { id: 'e1' }, back: true, tab: 'events' });
    expect(at('/app/events/e1/ticket')).toEqual({ name: 'ticket', params: { id: 'e1' }, back: true, tab: 'events' });
    expect(at('/app/events/e1/checkin')).toEqual({ name: 'checkin', params: { id: 'e1' }, back: true, tab: 'events' });
    expect(at('/app/events/e1/attendees')).toEqual({ name: 'attendees', params: { id: 'e1' }, back: true, tab: 'events' });
    expect(at('/app/admin/roles')).toEqual({ name: 'roles', params: {}, back: true, tab: 'profile' });
  });

  it('takes the old login link in and out of /app/', () => {
    expect(at('/auth/callback').name).toBe('callback');
    expect(at('/app/auth/callback').name).toBe('callback');
  });

  it('shows the list for a path it does not know, or one that lacks its id', () => {
    for (const path of ['/app/nothing', '/app/events', '/app/events/', '/app/admin', '/', '/elsewhere/profile']) {
      expect(at(path).name, path).toBe('events');
    }
  });

  it('ignores segments after a route\'s own, and empty ones', () => {
    expect(at('/app/events/e1/extra')).toMatchObject({ name: 'event', params: { id: 'e1' } });
    expect(at('/app//profile/')).toMatchObject({ name: 'profile' });
  });
});
