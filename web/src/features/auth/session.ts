import { createContext, useContext } from 'react';
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { api, setCsrfToken, unwrap, type Me } from '../../api/client.ts';
import { setLanguage } from '../../i18n/index.ts';
import { isLanguage } from '../../i18n/languages.ts';

export const meQueryKey = ['me'] as const;

/** Whether first-run setup is pending, and the platform's name (public). */
export function useSetupStatus() {
  return useQuery({ queryKey: ['setup'], queryFn: () => unwrap(api.GET('/api/setup')), staleTime: Infinity });
}

/**
 * A hint that this browser holds a session. The cookie itself is HttpOnly; without the hint the
 * app shows the sign-in page straight away instead of asking the API and getting a 401.
 */
const sessionHintKey = 'uplink.signedIn';

/**
 * Set while the user has signed out on purpose. The guards of the signed-in areas then send them
 * to the sign-in page without remembering the page they were on, so signing in again starts at the
 * home page (the guard and the sign-out handler race to redirect; this makes the outcome one).
 */
let signedOutOnPurpose = false;

/** Where the sign-in page should return to after the guard of a signed-in area sent the user there. */
export function returnState(path: string): { from: string } | undefined {
  return signedOutOnPurpose ? undefined : { from: path };
}

function forgetSession(): void {
  setCsrfToken(null);
  localStorage.removeItem(sessionHintKey);
}

/** Who is signed in, or null when nobody is (401). */
export async function fetchMe(): Promise<Me | null> {
  if (!localStorage.getItem(sessionHintKey)) return null;
  const result = await api.GET('/api/auth/me');
  if (result.response.status === 401) {
    forgetSession();
    return null;
  }
  const me = await unwrap(Promise.resolve(result));
  setCsrfToken(me.csrfToken);
  return me;
}

/** Stores a fresh identity (sign-in, organization switch, password change) in the query cache. */
export function applyMe(queryClient: QueryClient, me: Me): void {
  signedOutOnPurpose = false;
  setCsrfToken(me.csrfToken);
  localStorage.setItem(sessionHintKey, '1');
  queryClient.setQueryData(meQueryKey, me);
}

/** On sign-in the profile's language wins over the one chosen on the sign-in page. */
export async function signedIn(queryClient: QueryClient, me: Me): Promise<void> {
  applyMe(queryClient, me);
  if (isLanguage(me.user.locale)) await setLanguage(me.user.locale);
}

/** The server no longer knows the session (expired, ended elsewhere): back to the sign-in page. */
export function sessionEnded(queryClient: QueryClient): void {
  forgetSession();
  queryClient.setQueryData(meQueryKey, null);
}

export async function signOut(queryClient: QueryClient): Promise<void> {
  await unwrap(api.POST('/api/auth/logout'));
  signedOutOnPurpose = true;
  forgetSession();
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== meQueryKey[0] });
  queryClient.setQueryData(meQueryKey, null);
}

export const MeContext = createContext<Me | null>(null);

/** The signed-in identity; only used below the authenticated layout. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe() needs a signed-in user');
  return me;
}

/** Whether the user holds a permission in the active organization (the server enforces it too). */
export function useCan(): (permission: string) => boolean {
  const me = useMe();
  return (permission) => me.permissions.includes(permission);
}
