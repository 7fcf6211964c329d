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
