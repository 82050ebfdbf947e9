import { downloadBytes } from './download';
import { Alert, Button, Stack, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { LogBundleResult } from '../../shared/bridge';

/** What the section shows after a collect: one sentence, good or bad. */
export type DiagnosticsOutcome = { ok: boolean; message: string };

/**
 * Settings → Diagnostics: "Collect logs" for support. The desktop app saves the zip itself and
 * says where; the web build gets the bytes back and hands them to the browser as a download.
 */
export function DiagnosticsSection({ collect }: { collect(): Promise<LogBundleResult> }) {
  const { t } = useTranslation('desktop');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<DiagnosticsOutcome | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = async () => {
    setBusy(true);
    setOutcome(null);
    let result: LogBundleResult;
    try {
      result = await collect();
    } catch (e) {
      // The bridge promises never to throw; a broken IPC channel still must not leave us spinning.
      result = { ok: false, reason: (e as Error)?.message ?? String(e) };
    }
    const shown = describeOutcome(result, t, downloadBytes);
    if (!mounted.current) return;
    setOutcome(shown);
    setBusy(false);
  };

  return (
    <Stack spacing={1} data-testid="diagnostics-section">
      <Typography variant="subtitle2" sx={{ pt: 1 }}>
        {t('diagnostics.title')}
      </Typography>
      <Typography variant="caption">{t('diagnostics.explain')}</Typography>
      <Stack direction="row">
        <Button size="small" data-testid="collect-logs" disabled={busy} onClick={() => void run()}>
          {busy ? t('diagnostics.collecting') : t('diagnostics.collect')}
        </Button>
      </Stack>
      {outcome && (
        <Alert severity={outcome.ok ? 'success' : 'error'} data-testid="collect-logs-result" data-state={outcome.ok ? 'ok' : 'failed'} sx={{ wordBreak: 'break-word' }}>
          {outcome.message}
        </Alert>
      )}
    </Stack>
  );
}

/** Turns a bridge result into the sentence to show, starting the web download when there are bytes. */
export function describeOutcome(r: LogBundleResult, t: TFunction, download: (bytes: Uint8Array, fileName: string) => void): DiagnosticsOutcome {
  if (!r.ok) return { ok: false, message: t('diagnostics.failed', { reason: r.reason }) };
  const count = r.redactions;
  if (r.savedTo) return { ok: true, message: t('diagnostics.saved', { path: r.savedTo, count }) };
  if (r.bytes) {
    try {
      download(r.bytes, r.fileName);
    } catch (e) {
      return { ok: false, message: t('diagnostics.downloadFailed', { reason: (e as Error)?.message ?? String(e) }) };
    }
    return { ok: true, message: t('diagnostics.downloaded', { fileName: r.fileName, count }) };
  }
  return { ok: true, message: t('diagnostics.collected', { fileName: r.fileName, count }) };
}

