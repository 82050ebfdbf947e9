import { Alert, Button, Stack } from '@mui/material';
import { useTranslation } from 'react-i18next';
import type { Phone } from '../sip/phone';
import type { MixMode } from '../../shared/supervision/modes';
import { useStore } from '../store/createStore';
import { phoneStore } from '../store/phoneState';

/** Supervisor side: a supervised call was transferred; one click follows it to its new leg. */
/** Translation keys of the modes as a word in a sentence ("listen"). */
const modeNames: Record<MixMode, string> = { listen: 'modeName.listen', whisper: 'modeName.whisper', barge: 'modeName.barge' };

export function RejoinOffers({ phone }: { phone: Phone }) {
  const { t } = useTranslation();
  const offers = useStore(phoneStore, (s) => s.rejoinOffers);
  if (!offers.length) return null;
  return (
    <Stack spacing={1}>
      {offers.map((o) => (
        <Alert
          key={o.id}
          severity="info"
          data-testid="rejoin-offer"
          data-to={o.to}
          onClose={() => phone.supervision.follow.dismiss(o.id)}
          action={
            <Button size="small" color="inherit" data-testid="rejoin" onClick={() => void phone.supervision.follow.rejoin(o.id)}>
              {t('rejoin.rejoin', { mode: modeNames[o.mode] ? t(modeNames[o.mode]) : o.mode })}
            </Button>
          }
        >
          {t('rejoin.transferred', { from: o.from, to: o.to })}
        </Alert>
      ))}
    </Stack>
  );
}
