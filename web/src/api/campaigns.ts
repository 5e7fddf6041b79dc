/**
 * Campaigns and the work queue (src/server/routes/campaigns.ts, src/server/routes/queue.ts):
 * the shapes the API answers with and one TanStack Query hook per call the pages make.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.js';

export interface Campaign {
  campaignId: string;
  name: string;
  segmentId: string | null;
  action: string | null;
  channel: string | null;
  message: string | null;
  holdoutShare: number;
  seed: number;
  status: string;
  phase: 'scheduled' | 'running' | 'ended';
  startsAt: string | null;
  endsAt: string | null;
  costMinor: number;
  costPerContactMinor: number;
  marginShare: number | null;
  members: { treatment: number; control: number };
  byTier: { tier: string | null; treatment: number; control: number }[];
  progress?: { contacted: number; responded: number; sent: number };
}

export interface Difference {
  treatment: number;
  control: number;
  difference: number;
  low: number;
  high: number;
  confidence: number;
  method: string;
}

export interface ArmResult {
  members: number;
  contacted: number;
  responded: number;
  converted: number;
  conversionRate: number;
  revenueMinor: number;
  revenuePerCustomerMinor: number;
  retained: number | null;
  retentionRate: number | null;
}

export interface CampaignReport {
  campaign: Campaign;
  window: { start: string; end: string; complete: boolean };
  treatment: ArmResult;
  control: ArmResult;
  uplift: {
    conversion: Difference | null;
    revenuePerCustomerMinor: (Difference & { df: number; standardError: number }) | null;
    retention: Difference | null;
    churn: Difference | null;
  };
  costMinor: number;
  marginShare: number;
  incrementalRevenueMinor: number | null;
  incrementalMarginMinor: number | null;
  roi: number | null;
}

export interface NewCampaign {
  name: string;
  segmentId: string;
  holdoutShare: number;
  seed?: number;
  startsAt: string;
  endsAt: string;
  channel?: string;
  message?: string;
  costMinor?: number;
  costPerContactMinor?: number;
}

export interface QueueAction {
  customerId: string;
  customerName: string | null;
  ownerId: string | null;
  kind: 'retention' | 'cross-sell' | 'up-sell' | 'playbook' | 'let-go';
  title: { zh: string; en: string };
  channel: string;
  reason: { zh: string; en: string };
  expectedValueMinor: number;
  stage: string | null;
  tier: string | null;
}

const path = (id: string, rest = '') => `/api/campaigns/${encodeURIComponent(id)}${rest}`;

/** Where the browser downloads the contact list (the session cookie goes with it). */
export const contactsUrl = (id: string, format: 'csv' | 'xlsx') =>
  path(id, `/contacts?format=${format}`);

export function useCampaigns() {
  return useQuery({
    queryKey: ['campaigns'],
    queryFn: async () => (await api<{ items: Campaign[] }>('/api/campaigns')).items,
  });
}

export function useCampaign(id: string) {
  return useQuery({ queryKey: ['campaign', id], queryFn: () => api<Campaign>(path(id)) });
}

export function useCampaignReport(id: string) {
  return useQuery({
    queryKey: ['campaign-report', id],
    queryFn: () => api<CampaignReport>(path(id, '/report')),
  });
}

export function useCreateCampaign() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: NewCampaign) => api<Campaign>('/api/campaigns', { method: 'POST', body: v }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['campaigns'] }),
  });
}

export function useSendCampaign(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () =>
      api<{ events: number; alreadySent: number; deliveries: number }>(path(id, '/send'), {
        method: 'POST',
        body: {},
      }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['campaign', id] });
      qc.invalidateQueries({ queryKey: ['campaign-report', id] });
    },
  });
}

export function useWorkQueue(limit = 20) {
  return useQuery({
    queryKey: ['work-queue', limit],
    queryFn: () =>
      api<{ asOf: string; owner: string | null; items: QueueAction[] }>('/api/queue', {
        query: { limit },
      }),
  });
}

export function useQueueTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (customerId: string) =>
      api<{ created: number }>('/api/queue/tasks', {
        method: 'POST',
        body: { customerIds: [customerId] },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['tasks'] }),
  });
}
