import BookingIcon from '@mui/icons-material/EventSeat';
import { formatWhen } from '../dates/formats';
import { BookingList } from './BookingList';

export default {
    list: BookingList,
    icon: BookingIcon,
    recordRepresentation: (booking: { clientName: string; startsAt: string }) => `${booking.clientName}, ${formatWhen(booking.startsAt)}`,
};
