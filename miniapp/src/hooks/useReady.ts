import { useEffect } from 'preact/hooks';
import * as tg from '../telegram';

/** Tells Telegram the app is ready once `done` (once per launch, after the first screen). */
export function useReady(done: boolean): void {
  useEffect(() => {
    if (done) tg.ready();
  }, [done]);
}
