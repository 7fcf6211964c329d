import { useEffect, useRef } from 'preact/hooks';
import * as tg from '../telegram';

/** Telegram's MainButton saying `text` (hidden when null). A press runs `onClick` with the
 * button's progress shown; presses while it runs are ignored. */
export function useMainButton(text: string | null, onClick: () => Promise<void>): void {
  const handler = useRef(onClick);
  handler.current = onClick;
  useEffect(() => {
    if (!text) return;
    let busy = false;
    return tg.showMainButton(text, () => {
      if (busy) return;
      busy = true;
      tg.mainButtonBusy(true);
      handler.current().finally(() => {
        busy = false;
        tg.mainButtonBusy(false);
      });
    });
  }, [text]);
}
