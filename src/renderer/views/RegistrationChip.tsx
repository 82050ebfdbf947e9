import { Chip, Tooltip } from '@mui/material';
import { useStore } from '../store/createStore';
import { phoneStore, type RegistrationState } from '../store/phoneState';

const look: Record<RegistrationState, { label: string; color: 'default' | 'success' | 'warning' | 'error' | 'info' }> = {
  unconfigured: { label: 'Not set up', color: 'default' },
  connecting: { label: 'Connecting…', color: 'info' },
  registered: { label: 'Registered', color: 'success' },
  unregistered: { label: 'Offline', color: 'default' },
  reconnecting: { label: 'Reconnecting…', color: 'warning' },
  failed: { label: 'Registration failed', color: 'error' },
};

export function RegistrationChip() {
  const reg = useStore(phoneStore, (s) => s.registration);
  const { label, color } = look[reg.state];
  return (
    <Tooltip title={reg.message ?? ''}>
      <Chip data-testid="registration" data-state={reg.state} label={label} color={color} size="small" />
    </Tooltip>
  );
}
