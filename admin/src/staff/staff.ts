import { profileOf, type Account } from '../accounts/account';

export type StaffRole = 'admin' | 'trainer';

export interface StaffMember extends Account {
    role: StaffRole;
    lastSignedInAt: string | null;
    createdAt: string;
}

export const ROLE_CHOICES: Array<{ id: StaffRole; name: string }> = [
    { id: 'trainer', name: 'Trainer' },
    { id: 'admin', name: 'Admin' },
];

export const roleLabel = (role: StaffRole) => ROLE_CHOICES.find((choice) => choice.id === role)?.name ?? role;

/** The edit sends the profile and the role; a changed role signs them out at once. */
export const staffChanges = (member: StaffMember) => ({ ...profileOf(member), role: member.role });
