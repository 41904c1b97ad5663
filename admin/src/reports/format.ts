import { formatMoney } from '../money/MoneyField';

/** "42%", or a dash where there is nothing to divide by. */
export const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);

/** Amounts in one or more currencies, "$1,200.00 + €80.00"; an amount in no currency is worth nothing. */
export const moneyList = (amounts: Array<{ currency: string; amountCents: number }>, fallbackCurrency = 'usd') =>
    amounts.length === 0
        ? formatMoney(0, fallbackCurrency)
        : amounts.map((amount) => formatMoney(amount.amountCents, amount.currency)).join(' + ');
