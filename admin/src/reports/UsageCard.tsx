import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DashboardCard } from '../dashboard/DashboardCard';
import { DownloadCsvButton } from './DownloadCsvButton';
import { moneyList, percent } from './format';
import { PackageTable } from './PackageTable';
import { useUsage, type Period, type UsageRow } from './useReports';

const UsageTable = ({ rows, label, first }: { rows: UsageRow[]; label: string; first: string }) => (
    <Table size="small" aria-label={label}>
        <TableHead>
            <TableRow>
                <TableCell>{first}</TableCell>
                <TableCell align="right">Sessions</TableCell>
                <TableCell align="right">Fill rate</TableCell>
                <TableCell align="right">Bookings</TableCell>
                <TableCell align="right">Completed</TableCell>
                <TableCell align="right">No-shows</TableCell>
                <TableCell align="right">Late cancels</TableCell>
                <TableCell align="right">Credits used</TableCell>
                <TableCell align="right">Revenue</TableCell>
            </TableRow>
        </TableHead>
        <TableBody>
            {rows.map((row) => (
                <TableRow key={row.key}>
                    <TableCell>{row.name}</TableCell>
                    <TableCell align="right">{row.sessions}</TableCell>
                    <TableCell align="right">
                        {percent(row.fillRate)}{' '}
                        <Typography component="span" variant="caption" color="text.secondary">
                            ({row.seatsFilled}/{row.seats})
                        </Typography>
                    </TableCell>
                    <TableCell align="right">{row.bookings}</TableCell>
                    <TableCell align="right">{row.completed}</TableCell>
                    <TableCell align="right">
                        {row.noShows}{' '}
                        <Typography component="span" variant="caption" color="text.secondary">
                            ({percent(row.noShowRate)})
                        </Typography>
                    </TableCell>
                    <TableCell align="right">
                        {row.lateCancels}{' '}
                        <Typography component="span" variant="caption" color="text.secondary">
                            ({percent(row.lateCancelRate)})
                        </Typography>
                    </TableCell>
                    <TableCell align="right">{row.creditsUsed}</TableCell>
                    <TableCell align="right">{moneyList(row.revenue)}</TableCell>
                </TableRow>
            ))}
        </TableBody>
    </Table>
);

/** Sessions held, seats filled and credits used, per trainer and per session type, with the credits that expired unused. */
export const UsageCard = ({ period }: { period: Period }) => {
    const { data, error, isPending } = useUsage(period);
    const chart = (rows: UsageRow[]) => rows.map((row) => ({ name: row.name, seatsFilled: row.seatsFilled, creditsUsed: row.creditsUsed }));
    return (
        <DashboardCard title="Usage and revenue" action={<DownloadCsvButton report="usage" params={{ ...period }} />}>
            {error ? (
                <Typography color="error">{error.message}</Typography>
            ) : isPending ? (
                <Typography color="text.secondary">Counting the sessions…</Typography>
            ) : (
                <Box sx={{ display: 'grid', gap: 2 }}>
                    {data.trainers.length === 0 ? (
                        <Typography color="text.secondary">No sessions took place in this period.</Typography>
                    ) : (
                        <>
                            <Typography variant="subtitle1">Per trainer</Typography>
                            <Box sx={{ height: 220 }}>
                                <ResponsiveContainer width="100%" height="100%">
                                    <BarChart data={chart(data.trainers)}>
                                        <CartesianGrid strokeDasharray="3 3" vertical={false} />
                                        <XAxis dataKey="name" />
                                        <YAxis allowDecimals={false} />
                                        <Tooltip />
                                        <Legend />
                                        <Bar dataKey="seatsFilled" name="Seats filled" fill="#1976d2" isAnimationActive={false} />
                                        <Bar dataKey="creditsUsed" name="Credits used" fill="#9c27b0" isAnimationActive={false} />
                                    </BarChart>
                                </ResponsiveContainer>
                            </Box>
                            <UsageTable rows={data.trainers} label="Usage per trainer" first="Trainer" />
                            <Typography variant="subtitle1">Per session type</Typography>
                            <UsageTable rows={data.types} label="Usage per session type" first="Session type" />
                        </>
                    )}
                    <Typography variant="subtitle1">Breakage (credits expired unused)</Typography>
                    {data.breakage.length === 0 ? (
                        <Typography color="text.secondary">No credits expired in this period.</Typography>
                    ) : (
                        <PackageTable rows={data.breakage} label="Breakage" sessionsLabel="Sessions expired" />
                    )}
                    <Typography variant="body2" color="text.secondary">
                        Breakage rate: {percent(data.breakageRate)} of the credits used or expired in the period expired unused.
                    </Typography>
                </Box>
            )}
        </DashboardCard>
    );
};
