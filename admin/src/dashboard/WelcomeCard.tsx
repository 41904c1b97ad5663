import { Typography } from '@mui/material';
import { usePermissions, useGetIdentity } from 'react-admin';
import { DashboardCard } from './DashboardCard';

export const WelcomeCard = () => {
    const { identity } = useGetIdentity();
    const { permissions: role } = usePermissions<string>();
    return (
        <DashboardCard title="Welcome">
            <Typography variant="body1">{identity?.fullName}</Typography>
            <Typography variant="body2" color="text.secondary">
                {identity?.email} {role && `· ${role}`}
            </Typography>
        </DashboardCard>
    );
};
