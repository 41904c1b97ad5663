import EventRepeatIcon from '@mui/icons-material/EventRepeat';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { useNotify, useRecordContext, useRefresh } from 'react-admin';
import { callApi } from '../commands/studioApi';
import { useDialogCommand } from '../commands/useDialogCommand';
import { formatWhen, fromStudioWallTime, studioTimeZone, toStudioWallTime } from '../dates/formats';
import type { Lot } from './lot';

const ExtendDialog = ({ lot, onClose }: { lot: Lot; onClose: () => void }) => {
    const notify = useNotify();
    const refresh = useRefresh();
    const { busy, refusal, run } = useDialogCommand();
    const current = new Date(lot.expiresAt!);
    const [expiresAt, setExpiresAt] = useState(() => toStudioWallTime(new Date(current.getTime() + 30 * 86_400_000)));
    const [reason, setReason] = useState('');
    // Typed as the studio's wall time, like every date input of the console.
    const instant = fromStudioWallTime(expiresAt);
    const target = instant ? new Date(instant) : undefined;
    const later = target !== undefined && !Number.isNaN(target.getTime()) && target > current;

    const extend = () =>
        run(
            (idempotencyKey) =>
                callApi<{ data: { expiresAt: string } }>(`/api/admin/lots/${lot.id}/extend`, {
                    idempotencyKey,
                    body: { expiresAt: target!.toISOString(), reason: reason.trim() },
                }),
            (answer) => {
                notify(`The ${lot.remaining} session${lot.remaining === 1 ? '' : 's'} now expire ${formatWhen(answer.data.expiresAt)}.`, {
                    type: 'success',
                });
                refresh();
                onClose();
            },
        );

    return (
        <Dialog open onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="extend-title">
            <DialogTitle id="extend-title">Extend expiry</DialogTitle>
            <DialogContent>
                <Stack sx={{ gap: 2 }}>
                    <DialogContentText>
                        {lot.remaining} of {lot.quantity} session{lot.quantity === 1 ? '' : 's'} left, expiring {formatWhen(current)}. The
                        new date and your reason go into the client&apos;s ledger.
                    </DialogContentText>
                    {refusal && <Alert severity="error">{refusal}</Alert>}
                    <TextField
                        label="New expiry"
                        type="datetime-local"
                        value={expiresAt}
                        onChange={(event) => setExpiresAt(event.target.value)}
                        size="small"
                        error={Boolean(expiresAt) && !later}
                        helperText={expiresAt && !later ? `Must be later than ${formatWhen(current)}` : `Studio time (${studioTimeZone()})`}
                        slotProps={{ inputLabel: { shrink: true } }}
                    />
                    <TextField
                        label="Reason"
                        required
                        value={reason}
                        onChange={(event) => setReason(event.target.value)}
                        size="small"
                        slotProps={{ htmlInput: { maxLength: 500 } }}
                    />
                </Stack>
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>Close</Button>
                <Button variant="contained" disabled={busy || !later || !reason.trim()} onClick={() => void extend()}>
                    Extend
                </Button>
            </DialogActions>
        </Dialog>
    );
};

/** "Extend" for the lot in context; a lot that never expires, or already expired, has nothing to extend. */
export const ExtendLotButton = () => {
    const lot = useRecordContext<Lot>();
    const [open, setOpen] = useState(false);
    if (!lot || lot.expiresAt === null || lot.expired) {
        return null;
    }
    return (
        <>
            <Button startIcon={<EventRepeatIcon />} size="small" onClick={() => setOpen(true)}>
                Extend
            </Button>
            {open && <ExtendDialog lot={lot} onClose={() => setOpen(false)} />}
        </>
    );
};
