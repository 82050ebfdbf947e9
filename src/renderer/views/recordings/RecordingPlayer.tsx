import { Alert, Box, Button, Chip, List, ListItemButton, ListItemText, MenuItem, Stack, TextField, ToggleButton, Typography } from '@mui/material';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin from 'wavesurfer.js/dist/plugins/regions.esm.js';
import type { WhisperlineBridge } from '../../../shared/bridge';
import type { RecordingDetail, RecordingTrackInfo, TimelineKind, TrackName } from '../../../shared/recording/types';
import { SyncGroup, drawnAtMs, formatMs, markerColor, markerLabel, markersFrom, pauseSpans, playbackRates, toggled, trackVolumes, waveColors, type Marker, type PauseSpan } from './playerModel';

type Phase = 'loading' | 'ready' | 'error';
/** Why a track could not be shown (the player's own reasons; the decoder's message is shown as it is). */
type TrackFailure = 'empty' | 'unreadable' | 'undecodable';

// Translation keys.
const trackLabelKeys: Record<TrackName, string> = { customer: 'player.track.customer', agent: 'player.track.agent', supervisor: 'player.track.supervisor' };
const markerKeys: Record<TimelineKind, string> = {
  'recording-started': 'player.marker.recordingStarted',
  'supervisor-joined': 'player.marker.supervisorJoined',
  'mode-changed': 'player.marker.modeChanged',
  'supervisor-left': 'player.marker.supervisorLeft',
  prompt: 'player.marker.prompt',
  'talk-back-on': 'player.marker.talkBackOn',
  'talk-back-off': 'player.marker.talkBackOff',
  takeover: 'player.marker.takeover',
  'recording-paused': 'player.marker.recordingPaused',
  'recording-resumed': 'player.marker.recordingResumed',
  held: 'player.marker.held',
  resumed: 'player.marker.resumed',
  transferred: 'player.marker.transferred',
  'recording-error': 'player.marker.recordingError',
  ended: 'player.marker.ended',
};
/** A `mode-changed` marker's detail is the mode's id. */
const modeKeys: Record<string, string> = { listen: 'modeName.listen', whisper: 'modeName.whisper', barge: 'modeName.barge', takeover: 'modeName.takeover' };

/**
 * A marker in the app's language: playerModel labels it in English (the kind's short label, or
 * the detail itself), so the kind's English label is swapped for the translated one.
 */
function translatedMarker(m: Marker, t: TFunction): Marker {
  const english = markerLabel({ kind: m.kind });
  const kindText = Object.hasOwn(markerKeys, m.kind) ? t(markerKeys[m.kind]) : english;
  const detailText = (detail: string) => (m.kind === 'mode-changed' && Object.hasOwn(modeKeys, detail) ? t(modeKeys[detail]) : detail);
  const label = m.label === english ? kindText : detailText(m.label);
  const title = m.title === english ? kindText : m.title.startsWith(`${english}: `) ? `${kindText}: ${detailText(m.title.slice(english.length + 2))}` : m.title;
  return { ...m, label, title };
}

/** A label on the waveform; `leftOfLine` near the right edge, where it would be cut off. */
function markerContent(label: string, leftOfLine = false): HTMLElement {
  const el = document.createElement('div');
  el.textContent = label; // text only: details come from the recording's files
  Object.assign(el.style, { fontSize: '10px', lineHeight: '12px', padding: '0 2px', background: 'rgba(255,255,255,0.85)', color: '#333', whiteSpace: 'nowrap', width: 'max-content', cursor: 'pointer' });
  if (leftOfLine) el.style.transform = 'translateX(calc(-100% - 2px))';
  return el;
}

interface TrackWaveProps {
  bridge: WhisperlineBridge;
  recordingId: string;
  info: RecordingTrackInfo;
  group: SyncGroup;
  markers: Marker[];
  spans: PauseSpan[];
  labels: boolean;
  /** Share of the longest track's length: all waveforms use one time axis. */
  widthPct: number;
  onPhase: (name: TrackName, phase: Phase) => void;
  onTime: (seconds: number) => void;
  onFinish: () => void;
}

/** One track: its own WaveSurfer over a Blob URL of the WAV; joins the sync group once decoded. */
function TrackWave({ bridge, recordingId, info, group, markers, spans, labels, widthPct, onPhase, onTime, onFinish }: TrackWaveProps) {
  const { t } = useTranslation();
  const name = info.name;
  const box = useRef<HTMLDivElement>(null);
  const regionsRef = useRef<ReturnType<typeof RegionsPlugin.create> | null>(null);
  /** Each marker region's own time (ms): where a click on it seeks. */
  const markerAt = useRef(new WeakMap<object, number>());
  const [state, setState] = useState<{ phase: Phase; failure?: TrackFailure; reason?: string }>({ phase: 'loading' });
  const callbacks = useRef({ onPhase, onTime, onFinish });
  callbacks.current = { onPhase, onTime, onFinish };

  useEffect(() => {
    let cancelled = false;
    let ws: WaveSurfer | null = null;
    const fail = (failure: TrackFailure, reason?: string) => {
      if (cancelled) return;
      group.remove(name);
      setState({ phase: 'error', failure, reason });
      callbacks.current.onPhase(name, 'error');
    };
    setState({ phase: 'loading' });
    callbacks.current.onPhase(name, 'loading');
    void (async () => {
      const bytes = await bridge.readRecordingTrack(recordingId, name).catch(() => null);
      if (cancelled) return;
      if (!bytes || bytes.byteLength <= 44) return fail(bytes ? 'empty' : 'unreadable');
      if (!box.current) return;
      const regions = RegionsPlugin.create();
      const [waveColor, progressColor] = waveColors[name];
      ws = WaveSurfer.create({ container: box.current, height: 64, waveColor, progressColor, cursorColor: '#d32f2f', normalize: true, plugins: [regions] });
      const player = ws;
      player.on('ready', () => {
        if (cancelled) return;
        regionsRef.current = regions;
        group.add(name, player);
        setState({ phase: 'ready' });
        callbacks.current.onPhase(name, 'ready');
      });
      player.on('error', (e) => fail('undecodable', e?.message || undefined));
      player.on('interaction', (t) => {
        group.seek(t);
        callbacks.current.onTime(t);
      });
      player.on('timeupdate', (t) => {
        if (group.masterName() !== name) return;
        callbacks.current.onTime(t);
        if (group.isPlaying) group.resync();
      });
      player.on('finish', () => {
        if (group.masterName() === name) callbacks.current.onFinish();
      });
      regions.on('region-clicked', (region, e) => {
        if (region.start !== region.end) return; // a pause span: a click seeks where it lands
        e.stopPropagation();
        const at = (markerAt.current.get(region) ?? region.start * 1000) / 1000;
        group.seek(at);
        callbacks.current.onTime(at);
      });
      // The bytes are handed over as a Blob, never as a URL to fetch: the app's CSP (connect-src
      // 'self' ws: wss:) refuses a fetch of a blob: URL, while media-src allows one for playing.
      void player.loadBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'audio/wav' })).catch(() => undefined); // failure: the 'error' event
    })();
    return () => {
      cancelled = true;
      group.remove(name);
      regionsRef.current = null;
      ws?.destroy();
    };
  }, [bridge, recordingId, name, group]);

  useEffect(() => {
    const regions = regionsRef.current;
    if (state.phase !== 'ready' || !regions) return;
    regions.clearRegions();
    const endMs = info.durationMs; // a short track (after a crash) shows only what it holds
    for (const s of spans.filter((x) => x.startMs < endMs))
      regions.addRegion({ start: s.startMs / 1000, end: s.endMs / 1000, color: 'rgba(230, 81, 0, 0.15)', content: labels ? markerContent(t('player.pciPause')) : undefined, drag: false, resize: false });
    for (const m of markers.filter((x) => x.atMs <= endMs)) {
      const region = regions.addRegion({ start: drawnAtMs(m.atMs, endMs) / 1000, color: markerColor(m.kind), content: labels ? markerContent(m.label, m.atMs > endMs * 0.93) : undefined, drag: false, resize: false });
      markerAt.current.set(region, m.atMs);
    }
  }, [state.phase, markers, spans, labels, info.durationMs, t]);

  return (
    <Box>
      <Typography variant="caption" color="text.secondary">
        {t(trackLabelKeys[name])} · {formatMs(info.durationMs)}
      </Typography>
      <Box ref={box} data-testid={`track-${name}`} data-frames={info.frames} data-state={state.phase} sx={{ width: `${widthPct}%`, minHeight: state.phase === 'error' ? 0 : 64, bgcolor: 'action.hover', borderRadius: 1 }} />
      {state.phase === 'error' && (
        <Alert severity="error" data-testid={`track-error-${name}`} sx={{ py: 0 }}>
          {t(trackLabelKeys[name])}: {state.reason ?? (state.failure === 'empty' ? t('player.trackEmpty') : state.failure === 'unreadable' ? t('player.trackUnreadable') : t('player.trackUndecodable'))}
        </Alert>
      )}
    </Box>
  );
}

/** The QA player for one recording: every track in step, markers, PCI pauses, comments. */
/** `commentsNote`: comments are not added here (an organisation recording's go in its evaluation); the note says where. */
export function RecordingPlayer({ bridge, recordingId, author, onPosition, commentsNote }: { bridge: WhisperlineBridge; recordingId: string; author: string; onPosition?: (ms: number) => void; commentsNote?: string }) {
  const { t, i18n } = useTranslation();
  // The date and time as toLocaleString() gives them, in the app's language rather than the system's.
  const dateTime = useMemo(() => new Intl.DateTimeFormat(i18n.language, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }), [i18n.language]);
  const when = (iso: string) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? t('recordings.invalidDate') : dateTime.format(d);
  };
  const rateFormat = useMemo(() => new Intl.NumberFormat(i18n.language), [i18n.language]);
  const [group] = useState(() => new SyncGroup());
  const [detail, setDetail] = useState<RecordingDetail | null | 'loading'>('loading');
  const [positionMs, setPositionMs] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [rate, setRate] = useState(1);
  const [muted, setMuted] = useState<ReadonlySet<TrackName>>(new Set());
  const [soloed, setSoloed] = useState<ReadonlySet<TrackName>>(new Set());
  const [phases, setPhases] = useState<Partial<Record<TrackName, Phase>>>({});
  const [text, setText] = useState('');
  const [commentError, setCommentError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const d = await bridge.readRecording(recordingId).catch(() => null);
    setDetail(d);
  }, [bridge, recordingId]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => () => group.pause(), [group]);
  // The QA scorecard beside the player comments at this position.
  useEffect(() => {
    onPosition?.(positionMs);
  }, [onPosition, positionMs]);

  const info = detail && detail !== 'loading' ? detail : null;
  const durationMs = info?.durationMs ?? 0;
  const markers = useMemo(() => markersFrom(info?.timeline ?? [], durationMs).map((m) => translatedMarker(m, t)), [info?.timeline, durationMs, t]);
  const spans = useMemo(() => pauseSpans(info?.timeline ?? [], durationMs), [info?.timeline, durationMs]);
  const trackKey = info?.tracks.map((track) => track.name).join(',') ?? '';
  useEffect(() => {
    group.setVolumes(trackVolumes(trackKey ? (trackKey.split(',') as TrackName[]) : [], muted, soloed));
  }, [group, trackKey, muted, soloed]);

  const onPhase = useCallback((name: TrackName, phase: Phase) => setPhases((p) => ({ ...p, [name]: phase })), []);
  const onTime = useCallback((s: number) => setPositionMs(Math.round(s * 10) * 100), []);
  const onFinish = useCallback(() => {
    group.finished();
    setPlaying(false);
  }, [group]);
  const seek = (ms: number) => {
    group.seek(ms / 1000);
    setPositionMs(ms);
  };
  const togglePlay = () => {
    if (group.isPlaying) {
      group.pause();
      setPlaying(false);
    } else {
      setPlaying(true);
      void group.play().then(() => setPositionMs(Math.round(group.position() * 10) * 100));
    }
  };
  const addComment = async () => {
    setBusy(true);
    setCommentError(null);
    const atMs = Math.max(0, Math.round(group.position() * 1000));
    const r = await bridge.addRecordingComment(recordingId, { atMs, author, text: text.trim() }).catch((e: unknown) => ({ ok: false as const, reason: String(e) }));
    if (r.ok) {
      setText('');
      await load();
    } else setCommentError(r.reason);
    setBusy(false);
  };

  if (detail === 'loading') return <Typography variant="body2" data-testid="player" data-state="loading">{t('player.loading')}</Typography>;
  if (!info)
    return (
      <Alert severity="error" data-testid="player" data-state="missing">
        {t('player.unreadable')}
      </Alert>
    );

  const anyReady = Object.values(phases).includes('ready');
  const allFailed = info.tracks.length > 0 && info.tracks.every((track) => phases[track.name] === 'error');
  const axisMs = Math.max(info.durationMs, ...info.tracks.map((track) => track.durationMs));
  const comments = [...info.comments].sort((a, b) => a.atMs - b.atMs);
  return (
    <Stack spacing={1.5} data-testid="player" data-state={anyReady ? 'ready' : 'loading'} data-id={recordingId}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 0.5 }}>
        <Typography variant="h6">{info.meta.remote || t('recordings.unknownCaller')}</Typography>
        <Typography variant="body2" color="text.secondary">
          {info.meta.agent} · {when(info.meta.startedAt)} · {formatMs(info.durationMs)}
        </Typography>
        {info.endedAt === null && <Chip size="small" color="warning" label={t('recordings.interrupted')} />}
        {info.legalHold && <Chip size="small" color="error" variant="outlined" label={t('recordings.legalHold')} />}
      </Stack>
      {info.skippedLines > 0 && (
        <Alert severity="warning" data-testid="skipped-lines" sx={{ py: 0 }}>
          {t('player.skippedLines', { count: info.skippedLines })}
        </Alert>
      )}
      {info.tracks.length === 0 && <Alert severity="info">{t('player.noAudio')}</Alert>}
      {allFailed && <Alert severity="error">{t('player.allTracksFailed')}</Alert>}
      {info.tracks.map((track, i) => (
        <Stack key={track.name} direction="row" spacing={1} sx={{ alignItems: 'center' }}>
          <Stack spacing={0.5}>
            <ToggleButton size="small" value="mute" selected={muted.has(track.name)} data-testid={`track-mute-${track.name}`} onChange={() => setMuted((m) => toggled(m, track.name))}>
              {t('player.mute')}
            </ToggleButton>
            <ToggleButton size="small" value="solo" selected={soloed.has(track.name)} data-testid={`track-solo-${track.name}`} onChange={() => setSoloed((s) => toggled(s, track.name))}>
              {t('player.solo')}
            </ToggleButton>
          </Stack>
          <Box sx={{ flex: 1, minWidth: 0 }}>
            <TrackWave bridge={bridge} recordingId={recordingId} info={track} group={group} markers={markers} spans={spans} labels={i === 0} widthPct={axisMs > 0 ? Math.max(1, Math.min(100, (track.durationMs / axisMs) * 100)) : 100} onPhase={onPhase} onTime={onTime} onFinish={onFinish} />
          </Box>
        </Stack>
      ))}
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center' }}>
        <Button variant="contained" data-testid="play" data-state={playing ? 'playing' : 'paused'} disabled={!anyReady} onClick={togglePlay}>
          {playing ? t('player.pause') : t('player.play')}
        </Button>
        <Typography data-testid="player-position" data-ms={positionMs} sx={{ fontVariantNumeric: 'tabular-nums' }}>
          {formatMs(positionMs)} / {formatMs(info.durationMs)}
        </Typography>
        <TextField
          select
          size="small"
          label={t('player.speed')}
          value={rate}
          onChange={(e) => {
            const r = Number(e.target.value);
            setRate(r);
            group.setRate(r);
          }}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'speed', 'data-rate': rate } as object } }}
          sx={{ width: 100 }}
        >
          {playbackRates.map((r) => (
            <MenuItem key={r} value={r}>
              {rateFormat.format(r)}×
            </MenuItem>
          ))}
        </TextField>
      </Stack>
      {markers.length > 0 && (
        <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap', rowGap: 0.5 }} data-testid="markers">
          {markers.map((m, i) => (
            <Chip key={`${m.atMs}-${i}`} size="small" variant="outlined" data-testid="marker" data-kind={m.kind} data-at-ms={m.atMs} title={m.title} label={`${formatMs(m.atMs)} ${m.label}`} onClick={() => seek(m.atMs)} />
          ))}
          {spans.map((s) => (
            <Chip key={`pause-${s.startMs}`} size="small" color="warning" variant="outlined" data-testid="pause-span" data-start-ms={s.startMs} data-end-ms={s.endMs} label={t('player.pciPauseSpan', { start: formatMs(s.startMs), end: s.open ? t('player.end') : formatMs(s.endMs) })} onClick={() => seek(s.startMs)} />
          ))}
        </Stack>
      )}
      <Box>
        <Typography variant="subtitle2">{t('player.comments')}</Typography>
        {comments.length === 0 && (
          <Typography variant="body2" color="text.secondary">
            {t('player.noComments')}
          </Typography>
        )}
        <List dense disablePadding>
          {comments.map((c, i) => (
            <ListItemButton key={`${c.createdAt}-${i}`} data-testid="comment" data-at-ms={c.atMs} onClick={() => seek(c.atMs)}>
              <ListItemText primary={c.text} secondary={`${formatMs(c.atMs)} · ${c.author} · ${when(c.createdAt)}`} />
            </ListItemButton>
          ))}
        </List>
        {commentsNote ? (
          <Typography variant="body2" color="text.secondary" data-testid="comments-elsewhere" sx={{ mt: 1 }}>
            {commentsNote}
          </Typography>
        ) : (
          <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
            <TextField
              size="small"
              placeholder={t('player.commentPlaceholder')}
              value={text}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                // Enter saves, as the button beside it does (IME composition keeps its Enter).
                if (e.key !== 'Enter' || e.nativeEvent.isComposing || busy || !text.trim()) return;
                e.preventDefault();
                void addComment();
              }}
              slotProps={{ htmlInput: { 'data-testid': 'comment-text', maxLength: 2000 } }}
              sx={{ flex: 1 }}
            />
            <Button variant="outlined" data-testid="comment-add" disabled={busy || !text.trim()} onClick={() => void addComment()}>
              {t('player.commentAt', { time: formatMs(positionMs) })}
            </Button>
          </Stack>
        )}
        {commentError && (
          <Alert severity="error" sx={{ mt: 1, py: 0 }}>
            {commentError}
          </Alert>
        )}
      </Box>
    </Stack>
  );
}
