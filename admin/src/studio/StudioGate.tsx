import { Alert, Button, LinearProgress } from '@mui/material';
import { useEffect, type ReactNode } from 'react';
import { useAuthState, useLogoutIfAccessDenied } from 'react-admin';
import { useStudio } from './useStudio';

/** No screen renders a date before the console knows the studio's time zone; signed-out visitors go to the login page. */
export const StudioGate = ({ children }: { children: ReactNode }) => {
    const { authenticated } = useAuthState(undefined, true);
    const { data, error, refetch } = useStudio({ ask: authenticated });
    const logoutIfAccessDenied = useLogoutIfAccessDenied();
    useEffect(() => {
        if (error) {
            void logoutIfAccessDenied(error);
        }
    }, [error, logoutIfAccessDenied]);
    if (data) {
        return <>{children}</>;
    }
    if (error) {
        return (
            <Alert
                severity="error"
                sx={{ mt: 2 }}
                action={
                    <Button color="inherit" onClick={() => void refetch()}>
                        Try again
                    </Button>
                }
            >
                Could not read the studio's settings: {error.message}
            </Alert>
        );
    }
    return <LinearProgress sx={{ mt: 2 }} />;
};
