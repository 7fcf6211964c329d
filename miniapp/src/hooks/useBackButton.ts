import { useEffect } from 'preact/hooks';
import * as tg from '../telegram';

/** Telegram's BackButton, going back in history, while `shown` (the route table's `back`). */
export function useBackButton(shown: boolean): void {
  useEffect(() => (shown ? tg.showBackButton(() => history.back()) : undefined), [shown]);
}
