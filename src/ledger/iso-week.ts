/** ISO 8601 weeks (Monday to Sunday), the unit of the weekly county report. */
export function isoWeekOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - day + 3); // the week's Thursday decides its year
  const year = d.getUTCFullYear();
  const week = 1 + Math.floor((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Monday and Sunday (YYYY-MM-DD) of an ISO week such as 2026-W42, or null when it does not exist. */
export function isoWeekRange(isoWeek: string): { monday: string; sunday: string } | null {
  const match = /^(\d{4})-W(\d{2})$/.exec(isoWeek);
  if (!match) return null;
  const [year, week] = [Number(match[1]), Number(match[2])];
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000 + (week - 1) * 7 * 86_400_000);
  const mondayText = monday.toISOString().slice(0, 10);
  if (week < 1 || isoWeekOf(mondayText) !== isoWeek) return null;
  return { monday: mondayText, sunday: new Date(monday.getTime() + 6 * 86_400_000).toISOString().slice(0, 10) };
}
