/** An account as the console's staff and client pages hold it. */
export interface Account {
    id: number;
    email: string;
    firstName: string;
    lastName: string;
    phone: string | null;
    active: boolean;
}

export const personName = (account: Pick<Account, 'firstName' | 'lastName'>) => `${account.firstName} ${account.lastName}`.trim();

/** What the API answers when it generated a password: shown once, never again. */
export interface WithTemporaryPassword {
    temporaryPassword?: string;
}

/**
 * Only the profile travels on an edit: react-admin sends the whole record, and the API
 * refuses fields it does not edit (active, figures, dates).
 */
export const profileOf = ({ email, firstName, lastName, phone }: Account) => ({ email, firstName, lastName, phone: phone || null });

/** A create leaves the password out when the admin left it empty, so the API generates one. */
export const withoutEmptyPassword = <T extends { password?: string | null }>({ password, ...rest }: T) =>
    password ? { ...rest, password } : rest;
