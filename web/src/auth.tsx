/** Who is signed in: the /api/auth/me query, login and logout. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import { ApiError, api, setCsrfToken } from './api/client.js';
import type { Role, Session, User } from './api/types.js';

const SessionContext = createContext<User | null>(null);

export function useUser(): User {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useUser outside a signed-in page');
  return user;
}

export function useRole(): Role {
  return useUser().role;
}

export function SessionProvider({ user, children }: { user: User; children: ReactNode }) {
  return <SessionContext.Provider value={user}>{children}</SessionContext.Provider>;
}

function sessionOf(body: Session | User): Session {
  return 'user' in body ? body : { user: body };
}

export function useSession() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async (): Promise<Session | null> => {
      try {
        const s = sessionOf(await api<Session | User>('/api/auth/me'));
        setCsrfToken(s.csrfToken);
        return s;
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.code === 'unauthorized')) return null;
        throw e;
      }
    },
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (v: { username: string; password: string }) =>
      sessionOf(await api<Session | User>('/api/auth/login', { method: 'POST', body: v })),
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken);
      // another user's cached data must not survive; the session query itself stays observed
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      qc.setQueryData(['session'], s);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<unknown>('/api/auth/logout', { method: 'POST', body: {} }),
    onSettled: () => {
      setCsrfToken(null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      qc.setQueryData(['session'], null);
    },
  });
}

/** What each role may open (the server enforces the same; this only hides dead ends). */
export const NAV_BY_ROLE: Record<Role, readonly string[]> = {
  admin: [
    'dashboard',
    'customers',
    'lifecycle',
    'segments',
    'churn',
    'tasks',
    'import',
    'analysis',
    'campaigns',
  ],
  manager: [
    'dashboard',
    'customers',
    'lifecycle',
    'segments',
    'churn',
    'tasks',
    'import',
    'analysis',
    'campaigns',
  ],
  agent: ['customers', 'churn', 'tasks'],
  analyst: ['dashboard', 'customers', 'lifecycle', 'segments', 'churn', 'analysis', 'campaigns'],
};
