import { Box, Typography } from '@mui/material';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DashboardCard } from '../dashboard/DashboardCard';
import { formatDay } from '../dates/formats';
import { DownloadCsvButton } from './DownloadCsvButton';
import { moneyList } from './format';
import { PackageTable } from './PackageTable';
import { useLiability } from './useReports';

/** Unused credits at the end of the period, per package, at what was paid for them. */
export const LiabilityCard = ({ asOf }: { asOf: string }) => {
    const { data, error, isPending } = useLiability(asOf);
    return (
        <DashboardCard
            title={data ? `Credits owed on ${formatDay(data.asOf)}` : 'Credits owed'}
            action={<DownloadCsvButton report="liability" params={{ asOf }} />}
        >
            {error ? (
                <Typography color="error">{error.message}</Typography>
            ) : isPending ? (
                <Typography color="text.secondary">Valuing the lots…</Typography>
            ) : data.packages.length === 0 ? (
                <Typography color="text.secondary">No unused credits on that date.</Typography>
            ) : (
                <>
                    <Typography variant="h5" component="p" sx={{ mb: 1 }}>
                        {moneyList(data.value)} for {data.sessions.toLocaleString()} sessions
                    </Typography>
                    <Box sx={{ height: 180 }}>
                        <ResponsiveContainer width="100%" height="100%">
                            <BarChart data={data.packages} layout="vertical" margin={{ left: 16, right: 16 }}>
                                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                                <XAxis type="number" allowDecimals={false} />
                                <YAxis type="category" dataKey="packageName" width={170} />
                                <Tooltip formatter={(value) => [`${value} sessions`, 'Unused']} />
                                <Bar dataKey="sessions" name="Unused sessions" fill="#1976d2" isAnimationActive={false} />
                            </BarChart>
                        </ResponsiveContainer>
                    </Box>
                    <PackageTable rows={data.packages} label="Credits owed per package" sessionsLabel="Unused sessions" lots />
                </>
            )}
        </DashboardCard>
    );
};
