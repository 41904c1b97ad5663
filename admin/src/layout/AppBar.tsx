import { AppBar as RaAppBar, LoadingIndicator } from 'react-admin';
import { LiveIndicator } from '../live/LiveIndicator';
import { StudioClock } from '../studio/StudioClock';

/** react-admin's app bar (this console has one theme and one locale, so its toolbar is the loading indicator) plus the studio's clock and the live state. */
export const AppBar = () => (
    <RaAppBar
        toolbar={
            <>
                <StudioClock />
                <LiveIndicator />
                <LoadingIndicator />
            </>
        }
    />
);
