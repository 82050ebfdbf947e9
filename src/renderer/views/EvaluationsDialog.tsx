import { Alert, Box, Button, Chip, Dialog, DialogActions, DialogContent, DialogTitle, LinearProgress, Paper, Stack, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import type { Evaluation, Scorecard } from '../../shared/org/qa';
import { normalizeIdentity } from '../../shared/supervision/identity';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';
import { formatMs } from './recordings/playerModel';
import { byTime, itemLines, newestFirst, scoreRatio, scorecardsOf } from './recordings/qaModel';

type ListState = { status: 'loading' } | { status: 'error'; reason: string } | { status: 'ok'; items: Evaluation[] };

const reasonOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The signed-in person as the org policy names them; null before an account is set up. */
export function useOwnIdentity(): string | null {
  const account = useStore(phoneStore, (s) => s.settings?.account ?? null);
  return account ? normalizeIdentity(account.extension, account.domain) : null;
}

/** How often the desk looks for new evaluations to acknowledge: they come in hours after a call, not seconds. */
const unacknowledgedPollMs = 3 * 60_000;

/** The signed-in person's evaluations not yet acknowledged (the badge on the Evaluations button); `recount` after acknowledging. */
export function useUnacknowledgedCount(app: WhisperlineApp): { count: number; recount: () => void } {
  const me = useOwnIdentity();
  const [count, setCount] = useState(0);
  const recount = useCallback(() => {
    if (!me) return setCount(0);
    void app.bridge
      .orgEvaluations({ agent: me, unacknowledged: true })
      .catch(() => null)
      // No org service, offline, refused: no badge and no complaint here (the dialog says why when opened).
      .then((answer) => setCount(answer?.ok ? answer.evaluations.length : 0));
  }, [app.bridge, me]);
  useEffect(() => {
    recount();
    const timer = setInterval(recount, unacknowledgedPollMs);
    return () => clearInterval(timer);
  }, [recount]);
  return { count, recount };
}

/** The agent's own evaluations: scores, comments at moments of the call, the note, and acknowledging them. */
export function EvaluationsDialog({ app, open, onClose, onChanged }: { app: WhisperlineApp; open: boolean; onClose: () => void; onChanged?: () => void }) {
  const { t } = useTranslation();
  const me = useOwnIdentity();
  const [list, setList] = useState<ListState>({ status: 'loading' });
  const [cards, setCards] = useState<Scorecard[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setList({ status: 'loading' });
    setError(null);
    const [answer, policy] = await Promise.all([
      // Only one's own, by name: a supervisor may see the team's too, but these are theirs to acknowledge.
      app.bridge.orgEvaluations(me ? { agent: me } : {}).catch((e: unknown) => ({ ok: false as const, reason: reasonOf(e) })),
      app.bridge.getOrgPolicy().catch(() => ({ state: 'none' as const, reason: '' })),
    ]);
    setCards(scorecardsOf(policy));
    if (answer.ok) setList({ status: 'ok', items: newestFirst(answer.evaluations) });
    else {
      setList({ status: 'error', reason: answer.reason });
      setError(answer.reason);
    }
  }, [app.bridge, me]);
  useEffect(() => {
    if (open) void load();
  }, [open, load]);

  const acknowledge = async (id: string, comment: string): Promise<boolean> => {
    setError(null);
    const answer = await app.bridge.orgAcknowledge({ id, comment: comment.trim() }).catch((e: unknown) => ({ ok: false as const, reason: reasonOf(e) }));
    if (!answer.ok) {
      setError(answer.reason);
      return false;
    }
    // The service's answer is the stored evaluation; a missing date still means it was acknowledged.
    const stored: Evaluation = { ...answer.evaluation, acknowledgedAt: answer.evaluation.acknowledgedAt ?? new Date().toISOString() };
    setList((l) => (l.status === 'ok' ? { status: 'ok', items: l.items.map((e) => (e.id === id ? stored : e)) } : l));
    onChanged?.();
    return true;
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="md" scroll="paper" data-testid="evaluations-dialog" aria-labelledby="evaluations-dialog-title">
      <DialogTitle id="evaluations-dialog-title">{t('evaluations.title')}</DialogTitle>
      <DialogContent dividers>
        <Stack spacing={1.5} data-testid="evaluations" data-state={list.status} data-count={list.status === 'ok' ? list.items.length : 0}>
          {list.status === 'loading' && <LinearProgress aria-label={t('evaluations.loading')} />}
          {error && (
            <Alert severity="error" data-testid="evaluations-error">
              {t('evaluations.error', { reason: error })}
            </Alert>
          )}
          {list.status === 'ok' && list.items.length === 0 && (
            <Typography variant="body2" color="text.secondary" data-testid="evaluations-empty">
              {t('evaluations.empty')}
            </Typography>
          )}
          {list.status === 'ok' && list.items.map((e) => <EvaluationCard key={e.id} evaluation={e} cards={cards} onAcknowledge={acknowledge} />)}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button data-testid="evaluations-refresh" onClick={() => void load()}>
          {t('evaluations.refresh')}
        </Button>
        <Button data-testid="evaluations-close" onClick={onClose}>
          {t('evaluations.close')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function EvaluationCard({ evaluation: e, cards, onAcknowledge }: { evaluation: Evaluation; cards: Scorecard[]; onAcknowledge: (id: string, comment: string) => Promise<boolean> }) {
  const { t, i18n } = useTranslation();
  const pct = useMemo(() => new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 0 }), [i18n.language]);
  const dateTime = useMemo(() => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }), [i18n.language]);
  const when = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso : dateTime.format(new Date(iso)));
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const ratio = scoreRatio(e.points, e.maxPoints);
  const titleId = `evaluation-${e.id}-title`;
  const acknowledged = e.acknowledgedAt !== null;

  const ack = async () => {
    setBusy(true);
    if (await onAcknowledge(e.id, comment)) setComment('');
    setBusy(false);
  };

  return (
    <Paper variant="outlined" component="section" aria-labelledby={titleId} sx={{ p: 1.5 }} data-testid="evaluation" data-id={e.id} data-acknowledged={String(acknowledged)}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', flexWrap: 'wrap', rowGap: 0.5 }}>
        <Typography id={titleId} variant="subtitle1" component="h3">
          {e.scorecardName}
        </Typography>
        <Typography variant="subtitle1" data-testid="evaluation-score" data-points={e.points} data-max={e.maxPoints}>
          {t('qa.score', { points: e.points, max: e.maxPoints, percent: ratio === null ? '—' : pct.format(ratio) })}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {t('qa.byOn', { evaluator: e.evaluator, date: when(e.createdAt) })}
        </Typography>
      </Stack>
      <Box component="ul" sx={{ m: 0, pl: 2.5 }} aria-label={t('evaluations.items')}>
        {itemLines(e, cards).map((line) => (
          <li key={line.id} data-testid="evaluation-item" data-item={line.id} data-score={line.score}>
            <Typography variant="body2">{line.points === null ? t('evaluations.itemScoreOnly', { label: line.label, score: line.score }) : t('evaluations.itemScore', { label: line.label, score: line.score, points: line.points })}</Typography>
          </li>
        ))}
      </Box>
      {e.comments.length > 0 && (
        <Box sx={{ mt: 1 }}>
          <Typography variant="subtitle2" component="h4">
            {t('qa.comments')}
          </Typography>
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {byTime(e.comments).map((c, i) => (
              <li key={`${c.atMs}-${i}`} data-testid="evaluation-comment" data-at-ms={c.atMs}>
                <Typography variant="body2">
                  <Box component="span" sx={{ fontVariantNumeric: 'tabular-nums', fontWeight: 500 }}>
                    {formatMs(c.atMs)}
                  </Box>{' '}
                  {c.text}
                </Typography>
              </li>
            ))}
          </Box>
        </Box>
      )}
      {e.note && (
        <Typography variant="body2" sx={{ mt: 1, whiteSpace: 'pre-wrap' }} data-testid="evaluation-note">
          {t('evaluations.note', { note: e.note })}
        </Typography>
      )}
      <Box sx={{ mt: 1 }}>
        {e.acknowledgedAt ? (
          <Stack spacing={0.5}>
            <Chip size="small" color="success" variant="outlined" sx={{ alignSelf: 'flex-start' }} data-testid="evaluation-acknowledged" label={t('evaluations.acknowledgedOn', { date: when(e.acknowledgedAt) })} />
            {e.agentComment && (
              <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: 'pre-wrap' }}>
                {t('evaluations.yourComment', { comment: e.agentComment })}
              </Typography>
            )}
          </Stack>
        ) : (
          <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
            <TextField size="small" label={t('evaluations.ackComment')} value={comment} onChange={(ev) => setComment(ev.target.value)} slotProps={{ htmlInput: { 'data-testid': 'evaluation-ack-comment', maxLength: 2000 } }} sx={{ flex: 1 }} />
            <Button variant="contained" data-testid="evaluation-ack" aria-describedby={titleId} disabled={busy} onClick={() => void ack()} sx={{ height: 40 }}>
              {t('evaluations.acknowledge')}
            </Button>
          </Stack>
        )}
      </Box>
    </Paper>
  );
}
