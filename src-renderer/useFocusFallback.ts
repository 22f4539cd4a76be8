// Where focus goes when what had it leaves the page (an answered card, a removed server's row): to this
// container, not to the page's body, where keyboard and screen-reader users lose their place.
import { useEffect, useRef } from 'react';

export function useFocusFallback<T extends HTMLElement>(changes: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement === null) ref.current?.focus({ preventScroll: true });
  }, [changes]);
  return ref;
}
