import TrainerIcon from '@mui/icons-material/FitnessCenter';
import { TrainerList } from './TrainerList';

export default {
    list: TrainerList,
    icon: TrainerIcon,
    recordRepresentation: (trainer: { firstName: string; lastName: string }) => `${trainer.firstName} ${trainer.lastName}`,
};
