import SessionIcon from '@mui/icons-material/Event';
import { SessionList } from './SessionList';

export default {
    list: SessionList,
    icon: SessionIcon,
    recordRepresentation: (session: { startsAt: string }) =>
        new Date(session.startsAt).toLocaleString(),
};
