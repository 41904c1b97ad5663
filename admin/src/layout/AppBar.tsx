import { AppBar as RaAppBar, LoadingIndicator } from 'react-admin';
import { LiveIndicator } from '../live/LiveIndicator';

/** react-admin's app bar (this console has one theme and one locale, so its toolbar is the loading indicator) plus the live state. */
export const AppBar = () => (
    <RaAppBar
        toolbar={
            <>
                <LiveIndicator />
                <LoadingIndicator />
            </>
        }
    />
);
