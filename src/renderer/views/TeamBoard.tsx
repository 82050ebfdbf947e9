import { Box, Button, Chip, MenuItem, Paper, Stack, TextField, Typography } from '@mui/material';
import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Phone } from '../sip/phone';
import { boardStore, type BoardRow } from '../store/boardState';
import { createStore, useFrameStore, useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';
import { boardRowPx, rowWindow } from './boardWindow';
import type { MixMode, SupervisionMode } from '../../shared/supervision/modes';

type Filter = 'all' | 'on-call' | 'ringing' | 'idle' | 'not-ready' | 'wrap-up' | 'signed-out' | 'hand';
// Translation keys.
const filters: Record<Filter, string> = {
  all: 'board.filter.all',
  'on-call': 'board.filter.onCall',
  ringing: 'board.filter.ringing',
  idle: 'board.filter.idle',
  'not-ready': 'agentState.notReady',
  'wrap-up': 'agentState.wrapUp',
  'signed-out': 'board.filter.signedOut',
  hand: 'board.filter.hand',
};
const availabilityText = { ready: 'agentState.ready', 'not-ready': 'agentState.notReady', 'wrap-up': 'agentState.wrapUp' } as const;
const modeText: Record<MixMode, string> = { listen: 'board.mode.listen', whisper: 'board.mode.whisper', barge: 'board.mode.barge' };
const joinModes: SupervisionMode[] = ['listen', 'whisper', 'barge', 'takeover'];
const joinLabels: Record<SupervisionMode, string> = { listen: 'supervisionMode.listen', whisper: 'supervisionMode.whisper', barge: 'supervisionMode.barge', takeover: 'supervisionMode.takeover' };
const directionText = { inbound: 'board.direction.inbound', outbound: 'board.direction.outbound' } as const;

/** One clock for every ticking duration on the board (one timer, not one per row). */
const clock = createStore(Date.now());
setInterval(() => clock.update(() => Date.now()), 1000);

function matches(row: BoardRow, filter: Filter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'on-call':
      return row.activity.phase === 'on-call';
    case 'ringing':
      return row.activity.phase === 'ringing' || row.activity.phase === 'dialing';
    case 'idle':
      return row.signedIn !== false && row.activity.phase === 'idle';
    case 'signed-out':
      return row.signedIn === false;
    case 'hand':
      return row.hand !== null;
    default:
      return row.availability === filter;
  }
}

/** One collator for the whole sort (`localeCompare` builds one per call: 500 rows, every frame). */
const byName = new Intl.Collator(undefined, { numeric: true });

/** The header's numbers, in one pass. */
function countsOf(rows: BoardRow[]): { onCalls: number; signedIn: number; ready: number; raised: number } {
  const c = { onCalls: 0, signedIn: 0, ready: 0, raised: 0 };
  for (const r of rows) {
    if (r.activity.phase === 'on-call') c.onCalls++;
    if (r.signedIn) c.signedIn++;
    if (r.signedIn && r.availability === 'ready') c.ready++;
    if (r.hand) c.raised++;
  }
  return c;
}

const extensionOf = (agent: string) => agent.split('@')[0];
const partyOf = (row: BoardRow) => (row.activity.phase === 'idle' ? '' : (row.activity.partyName ?? (row.activity.party ? extensionOf(row.activity.party.replace(/^sips?:/, '')) : '')));

/** Supervisor: the team at a glance, live from SIP, and one click into a call. */
export function TeamBoard({ phone }: { phone: Phone }) {
  const { t } = useTranslation();
  const rows = useFrameStore(boardStore, (s) => s.rows);
  useStore(phoneStore, (s) => s.orgPolicy);
  const [search, setSearch] = useState('');
  const [team, setTeam] = useState('all');
  const [filter, setFilter] = useState<Filter>('all');
  const [sort, setSort] = useState<'name' | 'duration'>('name');
  const all = useMemo(() => Object.values(rows), [rows]);
  const teams = useMemo(() => [...new Set(all.flatMap((r) => r.teams))].sort(), [all]);
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    const list = all.filter((r) => matches(r, filter) && (team === 'all' || r.teams.includes(team)) && (!q || r.name.toLowerCase().includes(q) || r.agent.includes(q)));
    // Longest call first; agents not on a call after them, by name.
    const byDuration = (r: BoardRow) => (r.activity.phase === 'on-call' && r.callSince !== null ? r.callSince : Infinity);
    return list.sort((a, b) => (sort === 'duration' ? byDuration(a) - byDuration(b) : 0) || (a.hand ? -1 : 0) - (b.hand ? -1 : 0) || byName.compare(a.name, b.name));
  }, [all, search, team, filter, sort]);
  if (all.length === 0) return null;
  const counts = countsOf(all);
  const select = (testId: string, label: string, value: string, onChange: (v: string) => void, options: Array<[string, string]>) => (
    <TextField select size="small" value={value} onChange={(e) => onChange(e.target.value)} slotProps={{ select: { SelectDisplayProps: { 'data-testid': testId, 'aria-label': label } as object } }}>
      {options.map(([v, label]) => (
        <MenuItem key={v} value={v}>
          {label}
        </MenuItem>
      ))}
    </TextField>
  );
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="board" data-ready={counts.ready}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap', rowGap: 1 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }}>
          {t('board.header', { onCalls: counts.onCalls, signedIn: counts.signedIn, total: all.length })}
          {counts.raised > 0 && ` · ${t('board.askingForHelp', { count: counts.raised })}`}
        </Typography>
        <TextField size="small" placeholder={t('board.searchPlaceholder')} value={search} onChange={(e) => setSearch(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'board-search', 'aria-label': t('board.searchLabel') } }} />
        {select('board-team', t('board.team'), team, setTeam, [['all', t('board.allTeams')], ...teams.map((name): [string, string] => [name, name])])}
        {select('board-filter', t('board.show'), filter, (v) => setFilter(v as Filter), Object.entries(filters).map(([v, key]): [string, string] => [v, t(key)]))}
        {select('board-sort', t('board.sortBy'), sort, (v) => setSort(v as 'name' | 'duration'), [
          ['name', t('board.byName')],
          ['duration', t('board.longestFirst')],
        ])}
      </Stack>
      <BoardList rows={shown} phone={phone} />
    </Paper>
  );
}

/** The rows in view (and a margin), in a scrolling list as tall as the whole team. */
function BoardList({ rows, phone }: { rows: BoardRow[]; phone: Phone }) {
  const { t } = useTranslation();
  const list = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 0 });
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const measure = () => setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    measure();
    const resized = new ResizeObserver(measure);
    resized.observe(el);
    el.addEventListener('scroll', measure, { passive: true });
    return () => {
      resized.disconnect();
      el.removeEventListener('scroll', measure);
    };
  }, []);
  const w = rowWindow(rows.length, view.top, view.height);
  return (
    // Heights as inline styles: as `sx` each new value would be a new CSS class.
    <Box ref={list} data-testid="board-list" sx={{ maxHeight: '70vh', overflowY: 'auto', contain: 'strict', minHeight: boardRowPx }} style={{ height: Math.min(rows.length, 40) * boardRowPx }}>
      {rows.length === 0 && (
        <Typography variant="body2" color="text.secondary" sx={{ p: 1 }}>
          {t('board.noMatch')}
        </Typography>
      )}
      <div style={{ height: w.padTopPx }} />
      {rows.slice(w.first, w.end).map((r) => (
        <AgentRow key={r.agent} row={r} phone={phone} />
      ))}
      <div style={{ height: w.padBottomPx }} />
    </Box>
  );
}

const AgentRow = memo(function AgentRow({ row, phone }: { row: BoardRow; phone: Phone }) {
  const { t } = useTranslation();
  const onCall = row.activity.phase === 'on-call';
  const caps = phone.supervision.capabilities(extensionOf(row.agent));
  const status =
    row.signedIn === false
      ? t('board.signedOut')
      : row.activity.phase === 'on-call'
        ? `${t('board.onCall')}${row.activity.direction ? ` (${t(directionText[row.activity.direction])})` : ''}${partyOf(row) ? ` ${t('board.withParty', { party: partyOf(row) })}` : ''}`
        : row.activity.phase === 'idle'
          ? t('board.idle')
          : `${row.activity.phase === 'ringing' ? t('board.ringing') : t('board.dialing')}${partyOf(row) ? ` · ${partyOf(row)}` : ''}`;
  return (
    <Box
      data-testid="board-row"
      data-agent={row.agent}
      data-activity={row.activity.phase}
      data-signed-in={String(row.signedIn)}
      data-availability={row.availability ?? ''}
      data-supervision={row.supervision ? `${row.supervision.by} ${row.supervision.mode}` : ''}
      data-hand={row.hand ? 'raised' : ''}
      data-watch={row.watch.state}
      // A fixed height: the list works out which rows are in view from it (boardWindow.ts).
      sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 1, height: boardRowPx, boxSizing: 'border-box', overflow: 'hidden', borderBottom: '2px solid transparent', backgroundClip: 'padding-box', borderRadius: 1, bgcolor: row.hand ? '#fff4d6' : onCall ? '#eef7f3' : 'transparent' }}
    >
      <Box sx={{ width: 9, height: 9, borderRadius: '50%', bgcolor: row.signedIn ? 'success.main' : 'grey.400', flex: 'none' }} title={row.signedIn ? t('board.signedIn') : t('board.signedOut')} />
      <Box sx={{ flex: 1, minWidth: 0 }}>
        <Typography variant="body2" noWrap>
          <b>{row.name}</b> · {extensionOf(row.agent)}
          {row.availability && row.signedIn && <Chip size="small" label={t(availabilityText[row.availability])} sx={{ ml: 1, height: 18 }} variant="outlined" />}
        </Typography>
        <Typography variant="caption" color="text.secondary" noWrap component="div" data-testid="board-status">
          {status}
          {onCall && row.callSince !== null && <Duration since={row.callSince} />}
          {row.supervision && ` · ${row.supervision.by.split('@')[0]} ${t(modeText[row.supervision.mode])}`}
          {row.hand && ` · ${row.hand.reason ? t('board.asksForHelpReason', { reason: row.hand.reason }) : t('board.asksForHelp')}`}
          {row.watch.state === 'failed' && ` · ${row.watch.reason}`}
        </Typography>
      </Box>
      {joinModes.map((m) => (
        <Button
          key={m}
          size="small"
          disableRipple
          variant={row.hand && m === 'listen' ? 'contained' : 'outlined'}
          data-testid={`board-${m}`}
          disabled={!onCall || !caps[m].available || row.supervision !== null}
          title={!onCall ? t('board.notOnCall') : caps[m].reason}
          onClick={() => void phone.supervision.join(extensionOf(row.agent), m)}
        >
          {t(joinLabels[m])}
        </Button>
      ))}
    </Box>
  );
});

function Duration({ since }: { since: number }) {
  const now = useStore(clock, (t) => t);
  const s = Math.max(0, Math.floor((now - since) / 1000));
  return <span data-testid="board-duration">{` · ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`}</span>;
}
