import SessionIcon from '@mui/icons-material/Event';
import { SessionList } from './SessionList';
import { SessionShow } from './SessionShow';

export default {
    list: SessionList,
    show: SessionShow,
    icon: SessionIcon,
    recordRepresentation: (session: { startsAt: string }) => new Date(session.startsAt).toLocaleString(),
};
