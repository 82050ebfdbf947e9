import { Alert, Box, Button, Chip, List, ListItemButton, ListItemText, Stack, Typography } from '@mui/material';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineBridge } from '../../../shared/bridge';
import type { RecordingSummary } from '../../../shared/recording/types';
import { formatMs } from './playerModel';
import { QaScorecard } from './QaScorecard';
import { RecordingPlayer } from './RecordingPlayer';

type ListState = { status: 'loading' } | { status: 'error'; reason: string } | { status: 'ok'; items: RecordingSummary[] };

function newestFirst(items: RecordingSummary[]): RecordingSummary[] {
  return [...items].sort((a, b) => (Date.parse(b.meta.startedAt) || 0) - (Date.parse(a.meta.startedAt) || 0));
}

/**
 * The picked recording: the player and, under it, the QA scorecard, which comments at the player's
 * position. The position lives here, not in the view, so playback does not re-render the list.
 */
function SelectedRecording({ bridge, author, summary, commentsNote }: { bridge: WhisperlineBridge; author: string; summary: RecordingSummary; commentsNote?: string }) {
  const [positionMs, setPositionMs] = useState(0);
  const { id, callId, agent } = summary.meta;
  return (
    <Stack spacing={2}>
      <RecordingPlayer bridge={bridge} recordingId={id} author={author} onPosition={setPositionMs} commentsNote={commentsNote} />
      <QaScorecard bridge={bridge} recordingId={id} callId={callId} agent={agent} positionMs={positionMs} />
    </Stack>
  );
}

/** Recordings for supervisors and QA: the list, and the player for the one picked. */
export function RecordingsView({ bridge, author, commentsNote }: { bridge: WhisperlineBridge; author: string; commentsNote?: string }) {
  const { t, i18n } = useTranslation();
  const [list, setList] = useState<ListState>({ status: 'loading' });
  // The date and time as toLocaleString() gives them, in the app's language rather than the system's.
  const dateTime = useMemo(() => new Intl.DateTimeFormat(i18n.language, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }), [i18n.language]);
  const when = (iso: string) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? t('recordings.invalidDate') : dateTime.format(d);
  };
  const [selected, setSelected] = useState<RecordingSummary | null>(null);

  const refresh = useCallback(async () => {
    setList((l) => (l.status === 'ok' ? l : { status: 'loading' }));
    try {
      const items = await bridge.listRecordings();
      setList({ status: 'ok', items: newestFirst(Array.isArray(items) ? items : []) });
    } catch (e) {
      setList({ status: 'error', reason: e instanceof Error ? e.message : String(e) });
    }
  }, [bridge]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const items = list.status === 'ok' ? list.items : [];
  return (
    <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ p: 2, alignItems: 'stretch' }} data-testid="recordings" data-state={list.status} data-count={items.length}>
      <Box sx={{ width: { xs: '100%', md: 340 }, flexShrink: 0 }}>
        <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between' }}>
          <Typography variant="subtitle1">{t('recordings.title')}</Typography>
          <Button size="small" data-testid="recordings-refresh" onClick={() => void refresh()}>
            {t('recordings.refresh')}
          </Button>
        </Stack>
        {list.status === 'loading' && (
          <Typography variant="body2" color="text.secondary">
            {t('recordings.loading')}
          </Typography>
        )}
        {list.status === 'error' && (
          <Alert severity="error" data-testid="recordings-error">
            {t('recordings.listError', { reason: list.reason })}
          </Alert>
        )}
        {list.status === 'ok' && items.length === 0 && (
          <Typography variant="body2" color="text.secondary" data-testid="recordings-empty">
            {t('recordings.empty')}
          </Typography>
        )}
        <List dense disablePadding component="div" aria-label={t('recordings.listLabel')}>
          {items.map((r) => (
            <ListItemButton key={r.meta.id} data-testid="recording-row" data-id={r.meta.id} selected={r.meta.id === selected?.meta.id} onClick={() => setSelected(r)}>
              <ListItemText
                primary={
                  <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                    <span>{r.meta.direction === 'inbound' ? '↘' : '↗'}</span>
                    <span>{r.meta.remote || t('recordings.unknownCaller')}</span>
                    {r.endedAt === null && <Chip size="small" color="warning" label={t('recordings.interrupted')} data-testid="recording-interrupted" />}
                    {r.legalHold && <Chip size="small" color="error" variant="outlined" label={t('recordings.legalHold')} data-testid="recording-legal-hold" />}
                  </Stack>
                }
                secondary={`${r.meta.agent} · ${when(r.meta.startedAt)} · ${formatMs(r.durationMs)}`}
              />
            </ListItemButton>
          ))}
        </List>
      </Box>
      <Box sx={{ flex: 1, minWidth: 0 }}>
        {selected ? (
          <SelectedRecording key={selected.meta.id} bridge={bridge} author={author} summary={selected} commentsNote={commentsNote} />
        ) : (
          items.length > 0 && (
            <Typography variant="body2" color="text.secondary">
              {t('recordings.pick')}
            </Typography>
          )
        )}
      </Box>
    </Stack>
  );
}
