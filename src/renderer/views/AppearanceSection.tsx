import { Button, FormControlLabel, MenuItem, Stack, Switch, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { WhisperlineApp } from '../app';
import { useStore } from '../store/createStore';
import { desktopStore } from '../store/desktopState';
import { phoneStore } from '../store/phoneState';

const keyLabel = (key: string) => `${/Mac/.test(navigator.platform) ? '⌘' : 'Ctrl'}+Shift+${key}`;

/** Settings → language, contrast, the call keys, notifications and the mini call window. */
export function AppearanceSection({ app }: { app: WhisperlineApp }) {
  const { t } = useTranslation('desktop');
  const language = useStore(phoneStore, (s) => s.settings?.language ?? 'auto');
  const contrast = useStore(phoneStore, (s) => s.settings?.contrast ?? 'auto');
  const notifications = useStore(desktopStore, (s) => s.notifications);
  const web = app.bridge.host === 'web';
  const startAtLogin = useStore(phoneStore, (s) => s.settings?.startAtLogin ?? false);
  // The signed policy's on/off wins; `user` (or no policy) leaves it to this switch.
  const policyLogin = useStore(phoneStore, (s) => (s.orgPolicy?.state === 'active' ? s.orgPolicy.policy.desktop?.startAtLogin : undefined));
  const loginManaged = policyLogin === 'on' || policyLogin === 'off';
  return (
    <Stack spacing={1.5} component="section" aria-labelledby="appearance-title">
      <Typography id="appearance-title" variant="subtitle2" component="h3">
        {t('appearance.title')}
      </Typography>
      <Stack direction="row" spacing={1}>
        <TextField
          select
          size="small"
          fullWidth
          label={t('appearance.language')}
          value={language}
          onChange={(e) => void app.setDisplay({ language: e.target.value as typeof language })}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'settings-language' } as object } }}
        >
          <MenuItem value="auto">{t('appearance.auto')}</MenuItem>
          <MenuItem value="en" lang="en">
            English
          </MenuItem>
          <MenuItem value="de" lang="de">
            Deutsch
          </MenuItem>
        </TextField>
        <TextField
          select
          size="small"
          fullWidth
          label={t('appearance.contrast')}
          value={contrast}
          onChange={(e) => void app.setDisplay({ contrast: e.target.value as typeof contrast })}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'settings-contrast' } as object } }}
        >
          <MenuItem value="auto">{t('appearance.contrastAuto')}</MenuItem>
          <MenuItem value="standard">{t('appearance.contrastStandard')}</MenuItem>
          <MenuItem value="high">{t('appearance.contrastHigh')}</MenuItem>
        </TextField>
      </Stack>
      <Typography variant="subtitle2" component="h3">
        {t('keys.title')}
      </Typography>
      <Typography variant="body2" component="div">
        <dl style={{ margin: 0, display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 12 }}>
          <dt><kbd>{keyLabel('F9')}</kbd></dt>
          <dd style={{ margin: 0 }}>{t('keys.answer')}</dd>
          <dt><kbd>{keyLabel('F10')}</kbd></dt>
          <dd style={{ margin: 0 }}>{t('keys.hangup')}</dd>
          <dt><kbd>{keyLabel('F8')}</kbd></dt>
          <dd style={{ margin: 0 }}>{t('keys.mute')}</dd>
        </dl>
        {!web && t('keys.global')}
      </Typography>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Button variant="outlined" size="small" data-testid="open-mini" onClick={() => void app.desktop.setMiniWindow(true)}>
          {t('mini.open')}
        </Button>
        {!web && (
          <FormControlLabel
            control={<Switch checked={loginManaged ? policyLogin === 'on' : startAtLogin} disabled={loginManaged} onChange={(e) => void app.setDisplay({ startAtLogin: e.target.checked })} />}
            label={loginManaged ? t('appearance.startAtLoginManaged') : t('appearance.startAtLogin')}
          />
        )}
        {web && notifications === 'default' && (
          <Button variant="outlined" size="small" onClick={() => void app.desktop.allowNotifications()} title={t('keys.notifications')}>
            {t('keys.allowNotifications')}
          </Button>
        )}
        {web && notifications === 'granted' && <Typography variant="body2">{t('keys.notificationsOn')}</Typography>}
        {web && notifications === 'denied' && <Typography variant="body2">{t('keys.notificationsBlocked')}</Typography>}
      </Stack>
    </Stack>
  );
}
