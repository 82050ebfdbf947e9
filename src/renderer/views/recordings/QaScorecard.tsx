import { Alert, Box, Button, Chip, IconButton, InputAdornment, List, ListItem, ListItemText, MenuItem, Paper, Stack, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineBridge } from '../../../shared/bridge';
import { newEvaluationId, type Evaluation, type EvaluationComment, type Scorecard } from '../../../shared/org/qa';
import { formatMs } from './playerModel';
import { newestFirst, parseScore, scoreRatio, scorecardsOf, tally, withComment } from './qaModel';

type Existing = { status: 'loading' } | { status: 'error'; reason: string } | { status: 'ok'; items: Evaluation[] };
type Outcome = { ok: true; points: number; maxPoints: number } | { ok: false; reason: string } | null;

const reasonOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface Props {
  bridge: WhisperlineBridge;
  /** The recording's meta: what the evaluation is of. */
  recordingId: string;
  callId: string;
  agent: string;
  /** The player's position: where a comment is placed. */
  positionMs: number;
}

/** Scoring a recorded call with a scorecard from the policy, and the evaluations already made of it. */
export function QaScorecard({ bridge, recordingId, callId, agent, positionMs }: Props) {
  const { t, i18n } = useTranslation();
  const pct = useMemo(() => new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 0 }), [i18n.language]);
  const dateTime = useMemo(() => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }), [i18n.language]);
  const when = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso : dateTime.format(new Date(iso)));
  const [cards, setCards] = useState<Scorecard[] | null>(null);
  const [cardId, setCardId] = useState('');
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [comments, setComments] = useState<EvaluationComment[]>([]);
  const [commentText, setCommentText] = useState('');
  const [note, setNote] = useState('');
  // One id per evaluation being written: a retry after an error (or a lost answer) is stored once.
  const [evaluationId, setEvaluationId] = useState(newEvaluationId);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [existing, setExisting] = useState<Existing>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    void bridge
      .getOrgPolicy()
      .catch(() => ({ state: 'none' as const, reason: '' }))
      .then((status) => {
        if (cancelled) return;
        const found = scorecardsOf(status);
        setCards(found);
        setCardId((id) => id || (found[0]?.id ?? ''));
      });
    return () => {
      cancelled = true;
    };
  }, [bridge]);

  const loadExisting = useCallback(async () => {
    const answer = await bridge.orgEvaluations({ callId }).catch((e: unknown) => ({ ok: false as const, reason: reasonOf(e) }));
    setExisting(answer.ok ? { status: 'ok', items: newestFirst(answer.evaluations) } : { status: 'error', reason: answer.reason });
  }, [bridge, callId]);
  useEffect(() => {
    void loadExisting();
  }, [loadExisting]);

  const card = cards?.find((c) => c.id === cardId) ?? null;
  const total = useMemo(() => (card ? tally(card, typed) : null), [card, typed]);

  if (cards === null) return null;
  if (cards.length === 0 || !card || !total)
    return (
      <Typography variant="body2" color="text.secondary" data-testid="qa-none">
        {t('qa.none')}
      </Typography>
    );

  const ratio = scoreRatio(total.points, total.maxPoints);
  const addComment = () => {
    const text = commentText.trim();
    if (!text) return;
    setComments((list) => withComment(list, { atMs: Math.max(0, Math.round(positionMs)), text }));
    setCommentText('');
  };
  const submit = async () => {
    if (!total.complete) return;
    setBusy(true);
    setOutcome(null);
    const answer = await bridge
      .orgEvaluate({ id: evaluationId, agent, callId, recordingId, scorecard: card.id, scores: total.scores, comments, note: note.trim() })
      .catch((e: unknown) => ({ ok: false as const, reason: reasonOf(e) }));
    setBusy(false);
    if (!answer.ok) return setOutcome({ ok: false, reason: answer.reason });
    setOutcome({ ok: true, points: answer.evaluation.points, maxPoints: answer.evaluation.maxPoints });
    // Stored: the next evaluation of this call is a new one.
    setEvaluationId(newEvaluationId());
    setTyped({});
    setComments([]);
    setNote('');
    void loadExisting();
  };

  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="qa-scorecard-panel">
      <Stack spacing={1.5}>
        <Typography variant="subtitle1" component="h3">
          {t('qa.title')}
        </Typography>
        <TextField
          select
          size="small"
          label={t('qa.scorecard')}
          value={card.id}
          onChange={(e) => {
            setCardId(e.target.value);
            setTyped({}); // item ids belong to one card
          }}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'qa-scorecard' } as object } }}
          sx={{ maxWidth: 360 }}
        >
          {cards.map((c) => (
            <MenuItem key={c.id} value={c.id}>
              {c.name}
            </MenuItem>
          ))}
        </TextField>
        {card.items.map((item) => {
          const text = typed[item.id] ?? '';
          const invalid = text.trim() !== '' && parseScore(text, item.points) === null;
          return (
            <TextField
              key={`${card.id}/${item.id}`}
              size="small"
              type="number"
              label={item.label}
              value={text}
              error={invalid}
              helperText={invalid ? t('qa.scoreRange', { points: item.points }) : item.help}
              onChange={(e) => setTyped((all) => ({ ...all, [item.id]: e.target.value }))}
              slotProps={{
                htmlInput: { 'data-testid': `qa-score-${item.id}`, min: 0, max: item.points, step: 1, inputMode: 'numeric' },
                input: { endAdornment: <InputAdornment position="end">{t('qa.outOf', { points: item.points })}</InputAdornment> },
              }}
              sx={{ maxWidth: 480 }}
            />
          );
        })}
        <Typography variant="subtitle2" data-testid="qa-total" data-points={total.points} data-max={total.maxPoints} aria-live="polite">
          {t('qa.total', { points: total.points, max: total.maxPoints, percent: ratio === null ? '—' : pct.format(ratio) })}
        </Typography>
        <Box>
          <Typography variant="subtitle2">{t('qa.comments')}</Typography>
          <List dense disablePadding>
            {comments.map((c, i) => (
              <ListItem
                key={`${c.atMs}-${i}`}
                data-testid="qa-comment"
                data-at-ms={c.atMs}
                disableGutters
                secondaryAction={
                  <IconButton edge="end" size="small" aria-label={t('qa.removeComment', { time: formatMs(c.atMs) })} data-testid="qa-comment-remove" onClick={() => setComments((list) => list.filter((x) => x !== c))}>
                    ✕
                  </IconButton>
                }
              >
                <ListItemText primary={`${formatMs(c.atMs)} · ${c.text}`} />
              </ListItem>
            ))}
          </List>
          <Stack direction="row" spacing={1}>
            <TextField
              size="small"
              label={t('qa.comment')}
              value={commentText}
              onChange={(e) => setCommentText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key !== 'Enter' || e.nativeEvent.isComposing) return;
                e.preventDefault();
                addComment();
              }}
              slotProps={{ htmlInput: { 'data-testid': 'qa-comment-text', maxLength: 2000 } }}
              sx={{ flex: 1 }}
            />
            <Button variant="outlined" data-testid="qa-comment-add" disabled={!commentText.trim()} onClick={addComment}>
              {t('qa.commentAt', { time: formatMs(positionMs) })}
            </Button>
          </Stack>
        </Box>
        <TextField multiline minRows={2} size="small" label={t('qa.note')} value={note} onChange={(e) => setNote(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'qa-note', maxLength: 4000 } }} />
        <Box>
          <Button variant="contained" data-testid="qa-submit" disabled={!total.complete || busy} onClick={() => void submit()}>
            {busy ? t('qa.submitting') : t('qa.submit')}
          </Button>
        </Box>
        {outcome?.ok && (
          <Alert severity="success" data-testid="qa-saved">
            {t('qa.saved', { points: outcome.points, max: outcome.maxPoints })}
          </Alert>
        )}
        {outcome && !outcome.ok && (
          <Alert severity="error" data-testid="qa-error">
            {t('qa.error', { reason: outcome.reason })}
          </Alert>
        )}
        <ExistingEvaluations existing={existing} when={when} pct={pct} />
      </Stack>
    </Paper>
  );
}

function ExistingEvaluations({ existing, when, pct }: { existing: Existing; when: (iso: string) => string; pct: Intl.NumberFormat }) {
  const { t } = useTranslation();
  return (
    <Box>
      <Typography variant="subtitle2">{t('qa.existing')}</Typography>
      {existing.status === 'error' && (
        <Typography variant="body2" color="text.secondary" data-testid="qa-existing-error">
          {t('qa.existingError', { reason: existing.reason })}
        </Typography>
      )}
      {existing.status === 'ok' && existing.items.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          {t('qa.existingNone')}
        </Typography>
      )}
      <List dense disablePadding>
        {existing.status === 'ok' &&
          existing.items.map((e) => {
            const ratio = scoreRatio(e.points, e.maxPoints);
            return (
              <ListItem key={e.id} disableGutters data-testid="qa-existing" data-id={e.id} data-acknowledged={String(e.acknowledgedAt !== null)}>
                <ListItemText
                  primary={`${e.scorecardName} · ${t('qa.score', { points: e.points, max: e.maxPoints, percent: ratio === null ? '—' : pct.format(ratio) })}`}
                  secondary={t('qa.byOn', { evaluator: e.evaluator, date: when(e.createdAt) })}
                />
                <Chip
                  size="small"
                  variant="outlined"
                  color={e.acknowledgedAt ? 'success' : 'default'}
                  label={e.acknowledgedAt ? t('qa.acknowledgedOn', { date: when(e.acknowledgedAt) }) : t('qa.notAcknowledged')}
                />
              </ListItem>
            );
          })}
      </List>
    </Box>
  );
}
