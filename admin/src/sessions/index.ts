import SessionIcon from '@mui/icons-material/Event';
import { SessionHome } from './SessionHome';
import { SessionShow } from './SessionShow';

export default {
    list: SessionHome,
    options: { label: 'Schedule' },
    show: SessionShow,
    icon: SessionIcon,
    recordRepresentation: (session: { startsAt: string }) => new Date(session.startsAt).toLocaleString(),
};
