import UndoIcon from '@mui/icons-material/Undo';
import {
    Alert,
    Button,
    Dialog,
    DialogActions,
    DialogContent,
    DialogContentText,
    DialogTitle,
    FormControlLabel,
    InputAdornment,
    Radio,
    RadioGroup,
    Stack,
    TextField,
} from '@mui/material';
import { useState } from 'react';
import { useNotify, useRecordContext, useRefresh } from 'react-admin';
import { callApi } from '../commands/studioApi';
import { useDialogCommand } from '../commands/useDialogCommand';
import { formatDay } from '../dates/formats';
import { formatMoney, toMinorUnits } from '../money/MoneyField';
import { usePolicies } from '../policies/usePolicies';
import { amountForSessions, creditsTakenBack, type Purchase } from './purchase';

type Mode = 'rest' | 'sessions' | 'amount';

interface RefundAnswer {
    amountCents: number;
    refundedSessions: number;
    status: string;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

const RefundDialog = ({ purchase, onClose }: { purchase: Purchase; onClose: () => void }) => {
    const notify = useNotify();
    const refresh = useRefresh();
    const policies = usePolicies();
    const { busy, refusal, run } = useDialogCommand();
    const [mode, setMode] = useState<Mode>('rest');
    const [sessions, setSessions] = useState('1');
    const [amount, setAmount] = useState('');
    const [reason, setReason] = useState('');
    const money = (cents: number) => formatMoney(cents, purchase.currency);
    const left = purchase.amountCents - purchase.refundedCents;

    const sessionCount = Number(sessions);
    const refundCents =
        mode === 'rest'
            ? left
            : mode === 'sessions'
              ? Number.isInteger(sessionCount) && sessionCount > 0
                  ? amountForSessions(purchase, sessionCount)
                  : undefined
              : toMinorUnits(amount, purchase.currency);
    const body = mode === 'rest' ? {} : mode === 'sessions' ? { sessions: sessionCount } : { amountCents: refundCents };
    const windowEnds =
        policies && purchase.paidAt ? new Date(new Date(purchase.paidAt).getTime() + policies.refundWindowDays * 86_400_000) : undefined;

    const refund = () =>
        run(
            (idempotencyKey) =>
                callApi<RefundAnswer>(`/api/admin/purchases/${purchase.id}/refund`, {
                    idempotencyKey,
                    body: { ...body, ...(reason.trim() ? { reason: reason.trim() } : {}) },
                }),
            (answer) => {
                const takenBack = answer.refundedSessions - purchase.refundedSessions;
                notify(`Refunded ${money(answer.amountCents)}; ${plural(takenBack, 'credit')} taken back.`, { type: 'success' });
                refresh();
                onClose();
            },
        );

    return (
        <Dialog open onClose={onClose} maxWidth="xs" fullWidth aria-labelledby="refund-title">
            <DialogTitle id="refund-title">Refund purchase #{purchase.id}</DialogTitle>
            <DialogContent>
                <Stack sx={{ gap: 2 }}>
                    <DialogContentText>
                        Paid {money(purchase.amountCents)} for {plural(purchase.sessions, 'session')}; {money(purchase.refundedCents)}{' '}
                        refunded so far.
                        {windowEnds &&
                            ` Refunds are open for ${plural(policies!.refundWindowDays, 'day')} after payment, until ${formatDay(windowEnds)}.`}
                    </DialogContentText>
                    {refusal && <Alert severity="error">{refusal}</Alert>}
                    <RadioGroup value={mode} onChange={(event) => setMode(event.target.value as Mode)}>
                        <FormControlLabel value="rest" control={<Radio />} label={`Everything left (${money(left)})`} />
                        <FormControlLabel value="sessions" control={<Radio />} label="A number of sessions" />
                        <FormControlLabel value="amount" control={<Radio />} label="An amount" />
                    </RadioGroup>
                    {mode === 'sessions' && (
                        <TextField
                            label="Sessions to refund"
                            type="number"
                            value={sessions}
                            onChange={(event) => setSessions(event.target.value)}
                            size="small"
                            slotProps={{ htmlInput: { min: 1, step: 1 } }}
                        />
                    )}
                    {mode === 'amount' && (
                        <TextField
                            label="Amount to refund"
                            value={amount}
                            onChange={(event) => setAmount(event.target.value)}
                            size="small"
                            slotProps={{
                                htmlInput: { inputMode: 'decimal' },
                                input: {
                                    startAdornment: <InputAdornment position="start">{purchase.currency.toUpperCase()}</InputAdornment>,
                                },
                            }}
                        />
                    )}
                    <TextField label="Reason (optional)" value={reason} onChange={(event) => setReason(event.target.value)} size="small" />
                    {refundCents !== undefined && refundCents > 0 && (
                        <Alert severity="info">
                            Refunds {money(refundCents)} and takes back {plural(creditsTakenBack(purchase, refundCents), 'credit')} (credits
                            already used are recorded as owed).
                        </Alert>
                    )}
                </Stack>
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>Close</Button>
                <Button
                    color="warning"
                    variant="contained"
                    disabled={busy || refundCents === undefined || refundCents <= 0}
                    onClick={() => void refund()}
                >
                    Refund
                </Button>
            </DialogActions>
        </Dialog>
    );
};

/** Refund the purchase in context through its purchase-to-credit workflow; one idempotency key per opened dialog. */
export const RefundButton = () => {
    const purchase = useRecordContext<Purchase>();
    const [open, setOpen] = useState(false);
    if (!purchase) {
        return null;
    }
    return (
        <>
            <Button startIcon={<UndoIcon />} size="small" onClick={() => setOpen(true)}>
                Refund
            </Button>
            {open && <RefundDialog purchase={purchase} onClose={() => setOpen(false)} />}
        </>
    );
};
