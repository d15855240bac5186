export function usd(value: number): string {
  if (value === 0) return '$0';
  if (Math.abs(value) < 0.01) return `$${value.toFixed(6)}`;
  return `$${value.toFixed(2)}`;
}

export function count(value: number): string {
  return new Intl.NumberFormat('en-US').format(value);
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

/** `YYYY-MM-DD` of a date in UTC. */
export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
