import type { Api, User } from './api';
import type { Params } from './router';

/** What the shell (app.tsx) hands every screen of the route table. */
export interface ScreenProps {
  api: Api;
  /** The member, once the login (or /me) answered. */
  user: User | null;
  setUser: (user: User) => void;
  /** The route's `:name` segments (`events/:id` gives `params.id`). */
  params: Params;
}

/** Staff and admins check people in and see who came (the API checks again: this only decides
 * what the app offers). */
export function isStaff(user: User | null): boolean {
  return user?.role === 'staff' || user?.role === 'admin';
}
