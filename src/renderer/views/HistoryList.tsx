import { List, ListItem, ListItemText, Typography, Chip, Stack } from '@mui/material';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';
import type { HistoryItem } from '../../shared/callHistory';
import { dispositionLabel } from './WrapUpPanel';

function duration(a: string | null, b: string): string {
  if (!a) return '';
  const s = Math.max(0, Math.round((Date.parse(b) - Date.parse(a)) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function coachingText(c: HistoryItem['coaching'], t: TFunction): string {
  if (!c) return '';
  if (c.role !== 'supervisor') return ` · ${t('history.coachedBy', { with: c.with, count: c.prompts })}`;
  if (c.talkSeconds === undefined) return ` · ${t('history.supervised', { with: c.with, count: c.prompts })}`;
  const talked = duration(new Date(0).toISOString(), new Date(c.talkSeconds * 1000).toISOString());
  return ` · ${t('history.supervisedTalked', { with: c.with, count: c.prompts, talked })}`;
}

/** Translation keys of the call outcomes (the stored value is the English word). */
const outcomeLabels: Record<HistoryItem['outcome'], string> = {
  answered: 'history.outcome.answered',
  missed: 'history.outcome.missed',
  declined: 'history.outcome.declined',
  failed: 'history.outcome.failed',
  transferred: 'history.outcome.transferred',
  cancelled: 'history.outcome.cancelled',
};

export function HistoryList({ onRedial }: { onRedial: (uri: string) => void }) {
  const { t, i18n } = useTranslation();
  const history = useStore(phoneStore, (s) => s.history);
  // The time as toLocaleTimeString() gives it, in the app's language rather than the system's.
  const timeFormat = useMemo(() => new Intl.DateTimeFormat(i18n.language, { hour: 'numeric', minute: 'numeric', second: 'numeric' }), [i18n.language]);
  const timeOf = (iso: string) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? t('recordings.invalidDate') : timeFormat.format(d);
  };
  if (history.length === 0)
    return (
      <Typography variant="body2" color="text.secondary">
        {t('history.empty')}
      </Typography>
    );
  return (
    <List dense data-testid="history">
      {history.slice(0, 50).map((h) => (
        <ListItem key={h.id} data-testid="history-item" data-outcome={h.outcome} data-coaching={h.coaching ? `${h.coaching.role} ${h.coaching.prompts} ${h.coaching.acknowledged}` : ''} disableGutters onDoubleClick={() => onRedial(h.remote)}>
          <ListItemText
            primary={
              <Stack sx={{ alignItems: 'center' }} direction="row" spacing={1}>
                <span>{h.direction === 'inbound' ? '↘' : '↗'}</span>
                <span>{h.remoteName || h.remote}</span>
                <Chip size="small" label={outcomeLabels[h.outcome] ? t(outcomeLabels[h.outcome]) : h.outcome} variant="outlined" />
              </Stack>
            }
            secondary={`${timeOf(h.startedAt)} ${duration(h.answeredAt, h.endedAt)}${h.wrapUp ? ` · ${dispositionLabel(h.wrapUp.disposition, t)}${h.wrapUp.resolved ? ` · ${t('history.resolved')}` : ` · ${t('history.notResolved')}`}` : ''}${coachingText(h.coaching, t)}`}
          />
        </ListItem>
      ))}
    </List>
  );
}
