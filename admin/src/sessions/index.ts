import SessionIcon from '@mui/icons-material/Event';
import { formatWhen } from '../dates/formats';
import { SessionHome } from './SessionHome';
import { SessionShow } from './SessionShow';

export default {
    list: SessionHome,
    options: { label: 'Schedule' },
    show: SessionShow,
    icon: SessionIcon,
    recordRepresentation: (session: { startsAt: string }) => formatWhen(session.startsAt),
};
