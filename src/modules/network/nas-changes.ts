/**
 * "The NAS list changed": told in this process right after a change commits, so a RADIUS server
 * running beside the HTTP role reloads at once. Other processes hear it through PostgreSQL
 * (the nas_devices trigger's NOTIFY on uplink_nas_changed, see radius-clients.ts).
 */
type Listener = () => void;

const listeners = new Set<Listener>();

export function onNasChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function nasChanged(): void {
  for (const l of listeners) {
    try {
      l();
    } catch {
      // A listener's failure is its own; the change is committed and the others still hear it.
    }
  }
}
