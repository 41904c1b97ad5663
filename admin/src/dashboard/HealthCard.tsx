import { Button, Chip, LinearProgress, Stack, Typography } from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { callApi, messageOf } from '../commands/studioApi';
import { formatTime, formatWeekday, studioDateOf, studioToday } from '../dates/formats';
import { DashboardCard } from './DashboardCard';

interface Health {
    database: string;
    temporal: string;
    stripe: string;
    clientsWithBalanceDrift: number | null;
}

const Line = ({ label, value, good, title = value }: { label: string; value: string; good: boolean; title?: string }) => (
    <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', gap: 1 }}>
        <Typography variant="body2">{label}</Typography>
        <Chip size="small" color={good ? 'success' : 'error'} label={value} sx={{ maxWidth: 240 }} title={title} />
    </Stack>
);

interface ReconciliationRun {
    finishedAt: string | null;
    startedAt: string;
    driftCount: number;
    clientsChecked: number;
    purchasesChecked: number;
}

/** "14:00" today, "Monday, November 30 14:00" before: when the books were last checked, in the studio's zone. */
const checkedAt = (at: string) => (studioDateOf(at) === studioToday() ? formatTime(at) : `${formatWeekday(at)} ${formatTime(at)}`);

/**
 * The last reconciliation (GET /api/admin/reconciliation): its drift and when, "drift 0 · 2:00 PM",
 * and "Check now", which starts one (it answers at once; the run shows a moment later).
 */
const BooksLine = () => {
    const queryClient = useQueryClient();
    const { data } = useQuery({
        queryKey: ['reconciliation'],
        queryFn: () => callApi<{ latest: ReconciliationRun | null }>('/api/admin/reconciliation', { method: 'GET' }),
        refetchInterval: 60_000,
    });
    const checkNow = useMutation({
        mutationFn: () => callApi('/api/admin/reconciliation'),
        onSuccess: () => {
            for (const wait of [1_000, 3_000]) setTimeout(() => void queryClient.invalidateQueries({ queryKey: ['reconciliation'] }), wait);
        },
    });
    const latest = data?.latest;
    if (checkNow.error) return <Typography color="error">The check could not start: {messageOf(checkNow.error)}</Typography>;
    const value = !data ? '…' : latest?.finishedAt ? `drift ${latest.driftCount} · ${checkedAt(latest.finishedAt)}` : 'Not checked yet';
    const title = latest
        ? `${latest.clientsChecked} clients and ${latest.purchasesChecked} purchases checked against the ledger`
        : 'Every balance and purchase is checked against the ledger on a schedule';
    return (
        <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', gap: 1 }}>
            <Typography variant="body2">Books reconciled</Typography>
            <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
                <Button size="small" onClick={() => checkNow.mutate()} disabled={checkNow.isPending}>
                    Check now
                </Button>
                <Chip
                    size="small"
                    color={latest?.driftCount === 0 ? 'success' : latest ? 'error' : 'default'}
                    label={value}
                    title={title}
                />
            </Stack>
        </Stack>
    );
};

/** GET /api/sessions/allocation-health, asked again every minute: what on-call would look at first. */
export const HealthCard = () => {
    const { data, error } = useQuery({
        queryKey: ['allocation-health'],
        queryFn: () => callApi<{ data: Health }>('/api/sessions/allocation-health', { method: 'GET' }).then((answer) => answer.data),
        refetchInterval: 60_000,
    });
    return (
        <DashboardCard title="System health">
            {error && <Typography color="error">The API did not answer: {error.message}</Typography>}
            {!data && !error && <LinearProgress />}
            {data && (
                <Stack sx={{ gap: 1 }}>
                    <Line label="Database" value={data.database === 'ok' ? 'OK' : data.database} good={data.database === 'ok'} />
                    <Line label="Temporal" value={data.temporal === 'ok' ? 'OK' : data.temporal} good={data.temporal === 'ok'} />
                    <Line
                        label="Stripe"
                        value={data.stripe.startsWith('simulator') ? 'Checkout simulator' : 'Live keys'}
                        title={data.stripe}
                        good
                    />
                    <Line
                        label="Balance drift"
                        value={data.clientsWithBalanceDrift === null ? 'Not checked' : `${data.clientsWithBalanceDrift} clients`}
                        good={data.clientsWithBalanceDrift === 0}
                    />
                    <BooksLine />
                </Stack>
            )}
        </DashboardCard>
    );
};
