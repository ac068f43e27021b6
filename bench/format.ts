/** Megabytes with one decimal, as every suite prints memory. */
export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** A rate or ratio rounded for a report line. */
export const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;
