import { useGetIdentity, useGetList, usePermissions } from 'react-admin';

export interface Trainer {
    id: number;
    firstName: string;
    lastName: string;
}

export const trainerName = (trainer: Pick<Trainer, 'firstName' | 'lastName'>) => `${trainer.firstName} ${trainer.lastName}`.trim();

/** Distinct, readable on white text, and never the status colours' red. */
const PALETTE = ['#1565c0', '#6a1b9a', '#2e7d32', '#ef6c00', '#00838f', '#ad1457', '#4e342e', '#283593', '#558b2f'];

/**
 * The trainers whose sessions this person sees: every trainer for an admin, only
 * themselves for a trainer (who cannot list the others).
 */
export const useTrainers = () => {
    const { permissions } = usePermissions<string>();
    const { identity } = useGetIdentity();
    const isAdmin = permissions === 'admin';
    const { data = [] } = useGetList<Trainer>(
        'trainers',
        { pagination: { page: 1, perPage: 200 }, sort: { field: 'lastName', order: 'ASC' } },
        { enabled: isAdmin },
    );
    const self: Trainer[] = identity ? [{ id: Number(identity.id), firstName: identity.fullName ?? '', lastName: '' }] : [];
    const trainers = isAdmin ? data : self;
    const colourOf = (trainerId: number) => {
        const index = trainers.findIndex((trainer) => trainer.id === trainerId);
        return PALETTE[(index >= 0 ? index : trainerId) % PALETTE.length]!;
    };
    return { trainers, colourOf, isAdmin };
};
