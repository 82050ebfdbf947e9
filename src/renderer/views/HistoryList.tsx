import { List, ListItem, ListItemText, Typography, Chip, Stack } from '@mui/material';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';
import type { HistoryItem } from '../../shared/callHistory';

function duration(a: string | null, b: string): string {
  if (!a) return '';
  const s = Math.max(0, Math.round((Date.parse(b) - Date.parse(a)) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function coachingText(c: HistoryItem['coaching']): string {
  if (!c) return '';
  const talked = c.talkSeconds !== undefined ? `, talked ${duration(new Date(0).toISOString(), new Date(c.talkSeconds * 1000).toISOString())}` : '';
  return c.role === 'supervisor' ? ` · supervised ${c.with}: ${c.prompts} prompts${talked}` : ` · coached by ${c.with}: ${c.prompts} prompts`;
}

export function HistoryList({ onRedial }: { onRedial: (uri: string) => void }) {
  const history = useStore(phoneStore, (s) => s.history);
  if (history.length === 0)
    return (
      <Typography variant="body2" color="text.secondary">
        No calls yet.
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
                <Chip size="small" label={h.outcome} variant="outlined" />
              </Stack>
            }
            secondary={`${new Date(h.startedAt).toLocaleTimeString()} ${duration(h.answeredAt, h.endedAt)}${h.wrapUp ? ` · ${h.wrapUp.disposition}${h.wrapUp.resolved ? ' · resolved' : ' · not resolved'}` : ''}${coachingText(h.coaching)}`}
          />
        </ListItem>
      ))}
    </List>
  );
}
