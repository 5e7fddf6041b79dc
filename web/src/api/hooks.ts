/** TanStack Query hooks, one per API resource the pages read or change. */
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api, itemsOf, type Query } from './client.js';
import type {
  Alert,
  AnalysisRun,
  Customer,
  Customer360,
  Page,
  SegmentSummary,
  Task,
} from './types.js';

/** GET /api/dashboard (src/server/routes/reports.ts); `transitions` come from GET /api/stages. */
export interface Dashboard {
  asOf: string | null;
  kpis: {
    customers: number;
    buyers: number;
    orders: number;
    revenueMinor: number;
    revenueLast365Minor: number;
    aovMinor: number;
    totalClvMinor: number;
    expectedActive: number;
  };
  stageMix: { model: string; dates: { date: string; stages: Record<string, number> }[] };
  tiers: { tier: string; customers: number; clvMinor: number; revenueMinor: number }[];
  pareto: { customerShare: number; revenueShare: number; clvShare: number }[];
  cohorts: { cohort: string; size: number; active: number[] }[];
  atRisk: {
    customerId: string;
    name: string | null;
    stage: string | null;
    clvMinor: number | null;
    pAlive: number | null;
    churnRisk: number | null;
    warningLevel: string | null;
  }[];
  breakdowns: Record<
    string,
    { key: string; customers: number; revenueMinor: number; clvMinor: number }[]
  >;
  transitions?: { from: string | null; to: string; count: number }[];
  clvHistogram?: { fromMinor: number; toMinor: number; customers: number }[];
}

export const fetchDashboard = () => api<Dashboard>('/api/dashboard');

export function useDashboard() {
  return useQuery({ queryKey: ['dashboard'], queryFn: fetchDashboard });
}

export interface CustomerFilters {
  q?: string;
  stage?: string;
  tier?: string;
  segment?: string;
  risk?: string;
  rfm?: string;
  owner?: string;
  province?: string;
  sort?: string;
  desc?: boolean;
  limit?: number;
  cursor?: string;
}

/** The list's filters as the server's query: sort is one word, "-" first for descending. */
export function customerQuery(filters: CustomerFilters): Query {
  const { desc, sort, ...rest } = filters;
  return { ...rest, sort: sort ? `${desc ? '-' : ''}${sort}` : undefined } as Query;
}

/** The customer list page after page over the server's cursor (infinite scroll). */
export function useInfiniteCustomers(filters: Omit<CustomerFilters, 'cursor'>) {
  return useInfiniteQuery({
    queryKey: ['customers', 'infinite', filters],
    queryFn: async ({ pageParam, signal }) => {
      const query = { ...customerQuery(filters), cursor: pageParam };
      const body = await api<Page<Customer>>('/api/customers', { query, signal });
      return { ...body, items: itemsOf<Customer>(body) } as Page<Customer>;
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useCustomer360(id: string) {
  return useQuery({
    queryKey: ['customer360', id],
    queryFn: () => api<Customer360>(`/api/customers/${encodeURIComponent(id)}/360`),
  });
}

export function useLogInteraction(customerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: {
      type: string;
      note?: string;
      outcome?: string;
      satisfaction?: number;
      direction?: string;
    }) =>
      api<unknown>(`/api/customers/${encodeURIComponent(customerId)}/interactions`, {
        method: 'POST',
        body: { ...v, occurredAt: new Date().toISOString() },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['customer360', customerId] }),
  });
}

export function useCreateTask(customerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { type: string; title?: string; dueAt?: string; note?: string }) =>
      api<Task>(`/api/customers/${encodeURIComponent(customerId)}/tasks`, {
        method: 'POST',
        body: v,
      }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['customer360', customerId] });
      qc.invalidateQueries({ queryKey: ['tasks'] });
    },
  });
}

export function useTasks(query: { status?: string; mine?: boolean }) {
  return useQuery({
    queryKey: ['tasks', query],
    queryFn: async () =>
      itemsOf<Task>(
        await api<unknown>('/api/tasks', {
          query: { status: query.status, mine: query.mine ? 'true' : undefined },
        }),
      ),
  });
}

export function useCompleteTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { taskId: string; customerId: string; outcome: string }) =>
      api<unknown>(
        `/api/customers/${encodeURIComponent(v.customerId)}/tasks/${encodeURIComponent(v.taskId)}/complete`,
        {
          method: 'POST',
          body: { outcome: v.outcome, status: 'done' },
        },
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['tasks'] }),
  });
}

export function useSegments() {
  return useQuery({
    queryKey: ['segments'],
    queryFn: async () => itemsOf<SegmentSummary>(await api<unknown>('/api/segments')),
  });
}

export interface SegmentField {
  name: string;
  type: 'text' | 'number' | 'date' | 'boolean' | 'tags';
  zh?: string;
  en?: string;
  values?: string[];
}

export function useSegmentFields() {
  return useQuery({
    queryKey: ['segment-fields'],
    queryFn: async () => itemsOf<SegmentField>(await api<unknown>('/api/segments/fields')),
    retry: false,
  });
}

export function useSegmentCount(rule: string) {
  return useQuery({
    queryKey: ['segment-count', rule],
    queryFn: ({ signal }) =>
      api<{ count: number }>('/api/segments/preview', { method: 'POST', body: { rule }, signal }),
    enabled: rule.trim().length > 0,
    retry: false,
    staleTime: 30_000,
  });
}

export function useCreateSegment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string; rule: string }) =>
      api<SegmentSummary>('/api/segments', { method: 'POST', body: v }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['segments'] }),
  });
}

/** GET /api/segment-analysis: the stored segmentation run (src/store/segment-analysis.ts loadSegmentRuns). */
export interface SegmentReport {
  asOf: string;
  rfm: {
    customers: number;
    segments: { key: string; zh: string; en: string; customers: number; share: number }[];
    /** customers per (R, F) cell: rf[5 - R][F - 1] */
    rf: number[][];
  } | null;
  tiers: {
    basis?: string;
    tiers: {
      key: string;
      zh: string;
      en: string;
      customers: number;
      shareOfCustomers: number;
      totalValue: number;
      shareOfValue: number;
    }[];
  } | null;
  clusters: {
    features: { name: string; role: string }[];
    k: number;
    chosenBy: string;
    clusters: {
      id: string;
      size: number;
      share: number;
      means: number[];
      z: number[];
      archetype: string;
      label: Bilingual;
      reason: Bilingual;
    }[];
  } | null;
}

export function useSegmentReport() {
  return useQuery({
    queryKey: ['segment-report'],
    queryFn: () => api<SegmentReport>('/api/segment-analysis'),
  });
}

/**
 * GET /api/stages: the lifecycle report of `tenure stages --json` (src/cli/stages.ts
 * StagesReport): mix, transitions with Sankey data, Kaplan–Meier dwell, funnel, trajectories.
 */
export interface StageReport {
  model: string;
  asOf: string;
  from: string | null;
  customers: number;
  mix: {
    stage: string;
    zh: string;
    en: string;
    colour: string;
    customers: number;
    share: number;
  }[];
  trajectories: {
    pattern: string;
    zh: string;
    en: string;
    customers: number;
    revenueYuan: number;
    clvYuan: number;
  }[];
  transitions: { counts: { from: string | null; to: string; customers: number; rate: number }[] };
  dwell: {
    stage: string;
    zh: string;
    en: string;
    medianDays: number | null;
    q1Days: number | null;
    q3Days: number | null;
  }[];
  funnel: {
    stage: string;
    zh: string;
    en: string;
    reached: number;
    conversion: number;
    cumulative: number;
  }[];
}

export function useStageReport() {
  return useQuery({
    queryKey: ['stages'],
    queryFn: () => api<StageReport>('/api/stages'),
    retry: false,
  });
}

export interface Bilingual {
  zh: string;
  en: string;
}

/** GET /api/stage-models items (src/server/routes/data.ts). */
export interface StageModelDoc {
  key: string;
  version: number;
  enabled: boolean;
  definition: {
    key?: string;
    name?: Bilingual;
    stages?: { code: string; name?: Bilingual; colour?: string; role?: string }[];
    thresholds?: Record<string, number>;
  };
  playbook: {
    modelKey?: string;
    stages?: Record<
      string,
      {
        goal?: Bilingual;
        kpi?: Bilingual;
        actions?: { title?: Bilingual; channel?: string; timing?: Bilingual }[];
      }
    >;
  } | null;
}

export function useStageModels() {
  return useQuery({
    queryKey: ['stage-models'],
    queryFn: async () => itemsOf<StageModelDoc>(await api<unknown>('/api/stage-models')),
  });
}

export function useAlerts(query: { level?: string; status?: string }) {
  return useQuery({
    queryKey: ['alerts', query],
    queryFn: async () => itemsOf<Alert>(await api<unknown>('/api/alerts', { query })),
  });
}

export function useResolveAlert() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { alertId: string; customerId: string }) =>
      api<unknown>(
        `/api/alerts/${encodeURIComponent(v.customerId)}/${encodeURIComponent(v.alertId)}`,
        { method: 'PATCH', body: { status: 'resolved' } },
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alerts'] }),
  });
}

export function useAnalysisRuns() {
  return useQuery({
    queryKey: ['analysis-runs'],
    queryFn: async () => itemsOf<AnalysisRun>(await api<unknown>('/api/analysis-runs')),
    refetchInterval: (q) => (q.state.data?.some((r) => r.status === 'running') ? 1000 : false),
  });
}

export function useStartAnalysis() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { asOf?: string }) =>
      api<AnalysisRun>('/api/analysis-runs', { method: 'POST', body: v }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['analysis-runs'] }),
  });
}
