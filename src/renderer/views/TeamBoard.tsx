import { Box, Button, Chip, MenuItem, Paper, Stack, TextField, Typography } from '@mui/material';
import { memo, useMemo, useState } from 'react';
import type { Phone } from '../sip/phone';
import { boardStore, type BoardRow } from '../store/boardState';
import { createStore, useFrameStore, useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';
import type { MixMode, SupervisionMode } from '../../shared/supervision/modes';

type Filter = 'all' | 'on-call' | 'ringing' | 'idle' | 'not-ready' | 'wrap-up' | 'signed-out' | 'hand';
const filters: Record<Filter, string> = {
  all: 'Everyone',
  'on-call': 'On a call',
  ringing: 'Ringing or dialing',
  idle: 'Idle',
  'not-ready': 'Not ready',
  'wrap-up': 'Wrap-up',
  'signed-out': 'Signed out',
  hand: 'Asking for help',
};
const availabilityText = { ready: 'Ready', 'not-ready': 'Not ready', 'wrap-up': 'Wrap-up' } as const;
const modeText: Record<MixMode, string> = { listen: 'listening', whisper: 'whispering', barge: 'in the call' };
const joinModes: SupervisionMode[] = ['listen', 'whisper', 'barge', 'takeover'];
const joinLabels: Record<SupervisionMode, string> = { listen: 'Listen', whisper: 'Whisper', barge: 'Barge', takeover: 'Take over' };

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

const extensionOf = (agent: string) => agent.split('@')[0];
const partyOf = (row: BoardRow) => (row.activity.phase === 'idle' ? '' : (row.activity.partyName ?? (row.activity.party ? extensionOf(row.activity.party.replace(/^sips?:/, '')) : '')));

/** Supervisor: the team at a glance, live from SIP, and one click into a call. */
export function TeamBoard({ phone }: { phone: Phone }) {
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
    return list.sort((a, b) => (sort === 'duration' ? byDuration(a) - byDuration(b) : 0) || (a.hand ? -1 : 0) - (b.hand ? -1 : 0) || a.name.localeCompare(b.name));
  }, [all, search, team, filter, sort]);
  if (all.length === 0) return null;
  const raised = all.filter((r) => r.hand).length;
  const select = (testId: string, value: string, onChange: (v: string) => void, options: Array<[string, string]>) => (
    <TextField select size="small" value={value} onChange={(e) => onChange(e.target.value)} slotProps={{ select: { SelectDisplayProps: { 'data-testid': testId } as object } }}>
      {options.map(([v, label]) => (
        <MenuItem key={v} value={v}>
          {label}
        </MenuItem>
      ))}
    </TextField>
  );
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="board">
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap', rowGap: 1 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }}>
          Team board · {all.filter((r) => r.activity.phase === 'on-call').length} on calls · {all.filter((r) => r.signedIn).length} of {all.length} signed in
          {raised > 0 && ` · ${raised} asking for help`}
        </Typography>
        <TextField size="small" placeholder="Name or extension" value={search} onChange={(e) => setSearch(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'board-search' } }} />
        {select('board-team', team, setTeam, [['all', 'All teams'], ...teams.map((t): [string, string] => [t, t])])}
        {select('board-filter', filter, (v) => setFilter(v as Filter), Object.entries(filters))}
        {select('board-sort', sort, (v) => setSort(v as 'name' | 'duration'), [
          ['name', 'By name'],
          ['duration', 'Longest call first'],
        ])}
      </Stack>
      <Stack spacing={0.5}>
        {shown.map((r) => (
          <AgentRow key={r.agent} row={r} phone={phone} />
        ))}
      </Stack>
    </Paper>
  );
}

const AgentRow = memo(function AgentRow({ row, phone }: { row: BoardRow; phone: Phone }) {
  const onCall = row.activity.phase === 'on-call';
  const caps = phone.supervision.capabilities(extensionOf(row.agent));
  const status =
    row.signedIn === false
      ? 'Signed out'
      : row.activity.phase === 'on-call'
        ? `On a call${row.activity.direction ? ` (${row.activity.direction})` : ''}${partyOf(row) ? ` with ${partyOf(row)}` : ''}`
        : row.activity.phase === 'idle'
          ? 'Idle'
          : `${row.activity.phase === 'ringing' ? 'Ringing' : 'Dialing'}${partyOf(row) ? ` · ${partyOf(row)}` : ''}`;
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
      // Rows out of view skip style, layout and paint (hundreds of rows, tens of changes a second).
      sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 1, py: 0.5, borderRadius: 1, bgcolor: row.hand ? '#fff4d6' : onCall ? '#eef7f3' : 'transparent', contentVisibility: 'auto', containIntrinsicSize: 'auto 44px' }}
    >
      <Box sx={{ width: 9, height: 9, borderRadius: '50%', bgcolor: row.signedIn ? 'success.main' : 'grey.400', flex: 'none' }} title={row.signedIn ? 'Signed in' : 'Signed out'} />
      <Box sx={{ flex: 1, minWidth: 0 }}>
        <Typography variant="body2" noWrap>
          <b>{row.name}</b> · {extensionOf(row.agent)}
          {row.availability && row.signedIn && <Chip size="small" label={availabilityText[row.availability]} sx={{ ml: 1, height: 18 }} variant="outlined" />}
        </Typography>
        <Typography variant="caption" color="text.secondary" noWrap component="div" data-testid="board-status">
          {status}
          {onCall && row.callSince !== null && <Duration since={row.callSince} />}
          {row.supervision && ` · ${row.supervision.by.split('@')[0]} ${modeText[row.supervision.mode]}`}
          {row.hand && ` · asks for help${row.hand.reason ? `: ${row.hand.reason}` : ''}`}
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
          title={!onCall ? 'Not on a call' : caps[m].reason}
          onClick={() => void phone.supervision.join(extensionOf(row.agent), m)}
        >
          {joinLabels[m]}
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
