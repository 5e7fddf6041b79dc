import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/client.js';
import { fetchDashboard } from './api/hooks.js';
import { App } from './app.js';
import './i18n/index.js';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 60_000,
      refetchOnWindowFocus: false,
      // a 4xx will not get better by asking again
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 1,
    },
  },
});

// The dashboard's data is the slowest request of a first visit: ask for it while the session
// is being checked instead of after (a 401 is simply dropped; the login page follows).
if (location.pathname === '/') {
  queryClient.prefetchQuery({ queryKey: ['dashboard'], queryFn: fetchDashboard }).catch(() => {});
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}
