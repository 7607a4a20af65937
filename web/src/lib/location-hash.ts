import { useEffect, useState } from 'react';

/**
 * A one-time token from the URL fragment (`/setup#token=…`): fragments never reach the server's
 * logs. Once read, the fragment is dropped from the address bar and the history.
 */
export function useHashParam(name: string): string | null {
  const [value] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get(name));
  useEffect(() => {
    if (window.location.hash) window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  }, []);
  return value;
}
