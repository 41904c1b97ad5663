import { Box, Stack } from '@mui/material';
import { Title, usePermissions } from 'react-admin';
import { useStudio } from '../studio/useStudio';
import { FigureCards } from './FigureCards';
import { HealthCard } from './HealthCard';
import { LowBalanceClients } from './LowBalanceClients';
import { TodaySchedule } from './TodaySchedule';
import { WelcomeCard } from './WelcomeCard';

export const Dashboard = () => {
    const { permissions: role } = usePermissions<string>();
    const { data: studio } = useStudio();
    return (
        <Stack sx={{ gap: 2, mt: 2 }}>
            <Title title={studio?.name ?? 'Studio Sessions'} />
            <FigureCards />
            <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', lg: '2fr 1fr' }, alignItems: 'start' }}>
                <TodaySchedule />
                <Stack sx={{ gap: 2 }}>
                    <WelcomeCard />
                    {role === 'admin' && <LowBalanceClients />}
                    {role === 'admin' && <HealthCard />}
                </Stack>
            </Box>
        </Stack>
    );
};
