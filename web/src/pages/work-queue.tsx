/**
 * The day's work queue (issue 9 §1) on the Tasks page: each customer's next best action with its
 * reason and expected value, best first — an agent's own customers only (the server decides) —
 * and a task from any row in one click.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useQueueTask, useWorkQueue } from '../api/campaigns.js';
import { useRole } from '../auth.js';
import { Badge, ErrorBox, Panel, QueryState } from '../components/ui.js';
import { formatMoney } from '../format.js';
import { localised } from '../labels.js';

export function WorkQueue() {
  const { t } = useTranslation();
  const role = useRole();
  const queue = useWorkQueue(20);
  const task = useQueueTask();
  const [done, setDone] = useState<Record<string, 'created' | 'exists'>>({});
  return (
    <Panel
      title={role === 'agent' ? t('campaigns.queue.title') : t('campaigns.queue.titleAll')}
      wide
    >
      <p className="muted small">{t('campaigns.queue.hint')}</p>
      <QueryState
        query={queue}
        isEmpty={(q) => q.items.length === 0}
        empty={t('campaigns.queue.empty')}
      >
        {(q) => (
          <div className="table-wrap">
            <table className="table" data-testid="work-queue">
              <thead>
                <tr>
                  <th scope="col">{t('campaigns.queue.customer')}</th>
                  <th scope="col">{t('campaigns.queue.action')}</th>
                  <th scope="col">{t('campaigns.queue.reason')}</th>
                  <th scope="col">{t('campaigns.queue.channel')}</th>
                  <th scope="col">{t('campaigns.queue.value')}</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {q.items.map((a) => (
                  <tr key={a.customerId} data-customer={a.customerId}>
                    <td>
                      <Link href={`/customers/${encodeURIComponent(a.customerId)}`}>
                        {a.customerName || a.customerId}
                      </Link>
                    </td>
                    <td>
                      <Badge>{t(`campaigns.queue.kind.${a.kind}`)}</Badge> {localised(a.title)}
                    </td>
                    <td>{localised(a.reason)}</td>
                    <td>{t(`interaction.${a.channel}`, { defaultValue: a.channel })}</td>
                    <td>{formatMoney(a.expectedValueMinor)}</td>
                    <td>
                      {done[a.customerId] ? (
                        <Badge tone="ok">
                          {done[a.customerId] === 'created'
                            ? t('campaigns.queue.created')
                            : t('campaigns.queue.exists')}
                        </Badge>
                      ) : (
                        <button
                          type="button"
                          disabled={task.isPending}
                          onClick={() =>
                            task.mutate(a.customerId, {
                              onSuccess: (r) =>
                                setDone((d) => ({
                                  ...d,
                                  [a.customerId]: r.created > 0 ? 'created' : 'exists',
                                })),
                            })
                          }
                        >
                          {t('campaigns.queue.createTask')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {task.error && <ErrorBox error={task.error} />}
    </Panel>
  );
}
