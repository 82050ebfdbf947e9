import { Button, Chip, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import { useStore } from '../store/createStore';
import { phoneStore, talkedMs, type CallView } from '../store/phoneState';
import { maxPromptChars, quickPhrasesFromText } from '../../shared/supervision/coaching';

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Supervisor side: text prompts (quick phrases, editable, and free text) and the over-coaching
 * guard: session time, how long the supervisor has talked, how many prompts went out.
 */
export function CoachingPanel({ app, call }: { app: WhisperlineApp; call: CallView }) {
  const { t } = useTranslation();
  const sup = call.supervising!;
  const phrases = useStore(phoneStore, (s) => s.settings?.quickPhrases ?? []);
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const coaching = app.phone.supervision.coaching;
  const unavailable = coaching.unavailable(call.id);
  const sent = call.prompts.filter((p) => !p.failed);
  const send = (prompt: string) => void coaching.send(call.id, prompt);
  return (
    <Stack spacing={1} sx={{ mt: 1.5 }} data-testid="coaching">
      <Typography variant="caption" color="text.secondary" data-testid="coaching-guard" data-talk-ms={Math.round(talkedMs(sup.talked, now))} data-prompts={sent.length}>
        {t('coachingPanel.guard', { session: clock(call.answeredAt ? now - call.answeredAt : 0), talked: clock(talkedMs(sup.talked, now)), count: sent.length })}
        {sent.length ? ` (${t('coachingPanel.acknowledgedCount', { count: sent.filter((p) => p.acknowledged).length })})` : ''}
      </Typography>
      {unavailable && unavailable !== 'Joining…' ? (
        <Typography variant="caption" color="text.secondary" data-testid="coaching-unavailable">
          {unavailable}
        </Typography>
      ) : editing !== null ? (
        <Stack spacing={1}>
          <TextField multiline minRows={3} size="small" label={t('coachingPanel.phrasesLabel')} value={editing} onChange={(e) => setEditing(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'phrases-edit' } }} />
          <Stack direction="row" spacing={1}>
            <Button size="small" variant="contained" data-testid="phrases-save" onClick={() => void app.setQuickPhrases(quickPhrasesFromText(editing)).then(() => setEditing(null))}>
              {t('coachingPanel.savePhrases')}
            </Button>
            <Button size="small" onClick={() => setEditing(null)}>
              {t('actions.cancel')}
            </Button>
          </Stack>
        </Stack>
      ) : (
        <>
          <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5 }}>
            {phrases.map((p) => (
              <Chip key={p} size="small" label={p} data-testid="quick-phrase" disabled={!!unavailable} onClick={() => send(p)} />
            ))}
            <Button size="small" data-testid="phrases-edit-open" onClick={() => setEditing(phrases.join('\n'))}>
              {t('coachingPanel.edit')}
            </Button>
          </Stack>
          <Stack
            direction="row"
            spacing={1}
            component="form"
            onSubmit={(e) => {
              e.preventDefault();
              if (text.trim()) send(text);
              setText('');
            }}
          >
            <TextField size="small" placeholder={t('coachingPanel.promptPlaceholder')} value={text} onChange={(e) => setText(e.target.value)} disabled={!!unavailable} slotProps={{ htmlInput: { 'data-testid': 'prompt-text', maxLength: maxPromptChars } }} sx={{ flex: 1 }} />
            <Button size="small" type="submit" data-testid="prompt-send" disabled={!!unavailable || !text.trim()}>
              {t('coachingPanel.send')}
            </Button>
          </Stack>
        </>
      )}
      {call.prompts.slice(-4).map((p) => (
        <Typography key={p.id} variant="caption" data-testid="sent-prompt" data-acknowledged={p.acknowledged} color={p.failed ? 'error' : 'text.secondary'}>
          {p.acknowledged ? '✓✓' : p.failed ? '✗' : '✓'} {p.text}
          {p.failed ? ` (${t('coachingPanel.notDelivered', { reason: p.failed })})` : p.acknowledged ? ` (${t('coachingPanel.acknowledged')})` : ''}
        </Typography>
      ))}
    </Stack>
  );
}
