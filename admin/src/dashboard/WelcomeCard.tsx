import { Typography } from '@mui/material';
import { useGetIdentity, usePermissions } from 'react-admin';
import { formatWeekday, studioTimeZone } from '../dates/formats';
import { useStudio } from '../studio/useStudio';
import { DashboardCard } from './DashboardCard';

export const WelcomeCard = () => {
    const { identity } = useGetIdentity();
    const { permissions: role } = usePermissions<string>();
    const { data: studio } = useStudio();
    return (
        <DashboardCard title="Welcome">
            <Typography variant="body1">{identity?.fullName}</Typography>
            <Typography variant="body2" color="text.secondary">
                {identity?.email} {role && `· ${role}`}
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
                {studio?.name} · {formatWeekday(new Date())} ({studioTimeZone()})
            </Typography>
        </DashboardCard>
    );
};
