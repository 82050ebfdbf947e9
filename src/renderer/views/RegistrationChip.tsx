import { Chip, Tooltip } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { useStore } from '../store/createStore';
import { phoneStore, type RegistrationState } from '../store/phoneState';

/** Per state: the label's translation key and the chip's colour. */
const look: Record<RegistrationState, { label: string; color: 'default' | 'success' | 'warning' | 'error' | 'info' }> = {
  unconfigured: { label: 'registration.unconfigured', color: 'default' },
  connecting: { label: 'registration.connecting', color: 'info' },
  registered: { label: 'registration.registered', color: 'success' },
  unregistered: { label: 'registration.unregistered', color: 'default' },
  reconnecting: { label: 'registration.reconnecting', color: 'warning' },
  failed: { label: 'registration.failed', color: 'error' },
};

export function RegistrationChip() {
  const { t } = useTranslation();
  const reg = useStore(phoneStore, (s) => s.registration);
  const { label, color } = look[reg.state];
  return (
    <Tooltip title={reg.message ?? ''}>
      <Chip data-testid="registration" data-state={reg.state} label={t(label)} color={color} size="small" />
    </Tooltip>
  );
}
