import { AppBar, Button, Dialog, LinearProgress, Toolbar, Typography } from '@mui/material';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';

// Loaded when first opened: the charts library is large and only supervisors open reports.
const ReportsView = lazy(() => import('./reports/ReportsView').then((m) => ({ default: m.ReportsView })));

/** Team reports from the org service, full screen over the supervisor's desk. */
export function ReportsDialog({ app, open, onClose }: { app: WhisperlineApp; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Dialog fullScreen open={open} onClose={onClose} data-testid="reports-dialog" aria-labelledby="reports-dialog-title">
      <AppBar position="static" elevation={0}>
        <Toolbar variant="dense">
          <Typography id="reports-dialog-title" variant="h6" component="h2" sx={{ flex: 1 }}>
            {t('reports.title')}
          </Typography>
          <Button color="inherit" data-testid="reports-close" onClick={onClose}>
            {t('reports.close')}
          </Button>
        </Toolbar>
      </AppBar>
      {open && (
        <Suspense fallback={<LinearProgress aria-label={t('reports.loading')} />}>
          <ReportsView bridge={app.bridge} />
        </Suspense>
      )}
    </Dialog>
  );
}
