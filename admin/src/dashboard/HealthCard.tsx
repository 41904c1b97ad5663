import { Chip, LinearProgress, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { callApi } from '../commands/studioApi';
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
                </Stack>
            )}
        </DashboardCard>
    );
};
