/** My tasks: follow-ups, birthdays, revisits, at-risk calls; complete with an outcome. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { useCompleteTask, useTasks } from '../api/hooks.js';
import { Badge, ErrorBox, QueryState } from '../components/ui.js';
import { formatDate } from '../format.js';
import { localised } from '../labels.js';
import { WorkQueue } from './work-queue.js';

export function TasksPage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState('open');
  const tasks = useTasks({ status });
  const complete = useCompleteTask();
  const [outcomes, setOutcomes] = useState<Record<string, string>>({});
  const now = new Date().toISOString();
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('tasks.title')}</h1>
        <label className="filter">
          <span>{t('tasks.status')}</span>
          <select
            value={status}
            onChange={(e) => setStatus(e.target.value)}
            aria-label={t('tasks.status')}
          >
            <option value="open">{t('tasks.open')}</option>
            <option value="done">{t('tasks.done')}</option>
          </select>
        </label>
      </div>
      <QueryState query={tasks} isEmpty={(l) => l.length === 0} empty={t('tasks.empty')}>
        {(list) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('tasks.due')}</th>
                  <th scope="col">{t('tasks.type')}</th>
                  <th scope="col">{t('tasks.customer')}</th>
                  <th scope="col">{t('tasks.outcome')}</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {[...list]
                  .sort((a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9'))
                  .map((task) => (
                    <tr key={`${task.customerId}-${task.taskId}`}>
                      <td>
                        {formatDate(task.dueAt)}{' '}
                        {task.status === 'open' && task.dueAt && task.dueAt < now && (
                          <Badge tone="bad">{t('tasks.overdue')}</Badge>
                        )}
                      </td>
                      <td>
                        {localised(task.title) ||
                          t(`taskType.${task.type}`, { defaultValue: task.type })}
                      </td>
                      <td>
                        {task.customerId && (
                          <Link href={`/customers/${encodeURIComponent(task.customerId)}`}>
                            {task.customerName || task.customerId}
                          </Link>
                        )}
                      </td>
                      <td>
                        {task.status === 'open' ? (
                          <input
                            aria-label={t('tasks.outcome')}
                            value={outcomes[task.taskId] ?? ''}
                            onChange={(e) =>
                              setOutcomes((o) => ({ ...o, [task.taskId]: e.target.value }))
                            }
                          />
                        ) : (
                          task.outcome
                        )}
                      </td>
                      <td>
                        {task.status === 'open' && (
                          <button
                            type="button"
                            disabled={!outcomes[task.taskId]?.trim() || complete.isPending}
                            onClick={() =>
                              complete.mutate({
                                taskId: task.taskId,
                                customerId: task.customerId ?? '',
                                outcome: outcomes[task.taskId].trim(),
                              })
                            }
                          >
                            {t('tasks.complete')}
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
      {complete.error && <ErrorBox error={complete.error} />}
      <WorkQueue />
    </div>
  );
}
